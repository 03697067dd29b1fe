"""EventualActionsStack: stream consumer, eventual-actions workflow, hooks and fulfillment."""

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from cdk_constructs import data_stores
from cdk_constructs.alarms import WorkflowAlarms
from cdk_constructs.hook_scheduling import HookScheduling
from cdk_constructs.python_lambda import DependencyLayer, PythonFunction, allow_invoke
from cdk_constructs.state_machine import AslStateMachine
from stacks.settings import EnvironmentSettings


class EventualActionsStack(Stack):
    """The asynchronous path: each enrolled contract's actions fulfilled now or hooked for later."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: EnvironmentSettings,
        stream: kinesis.IStream,
        profile_table: dynamodb.ITable,
        audit_table: dynamodb.ITable,
        requests_table: dynamodb.ITable,
        hooks_table: dynamodb.ITable,
        alert_topic: sns.ITopic,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        key = data_stores.data_key(self, "DataKey", settings=settings, description="Encrypts contract hook data")
        self.hooks_table = hooks_table
        # Powertools idempotency records of the fulfillment function. Its DynamoDB persistence
        # layer writes the "expiration" attribute and checks it itself.
        self.idempotency_table = data_stores.table(
            self,
            "IdempotencyTable",
            partition_key="id",
            key=key,
            settings=settings,
            time_to_live_attribute="expiration",
        )
        self.parked_records = data_stores.queue(self, "ParkedRecordsQueue", key=key, settings=settings)
        layer = DependencyLayer(self, "Dependencies").layer

        fulfil = PythonFunction(
            self,
            "FulfilAction",
            source="fulfil_action",
            description="Fulfils one contract action, now or when its hook comes due",
            settings=settings,
            layer=layer,
            environment={
                "HOOKS_TABLE_NAME": self.hooks_table.table_name,
                "AUDIT_TABLE_NAME": audit_table.table_name,
                "PROFILE_TABLE_NAME": profile_table.table_name,
                "STREAM_NAME": stream.stream_name,
                "IDEMPOTENCY_TABLE_NAME": self.idempotency_table.table_name,
            },
        )
        data_stores.grant_table_actions(
            self.hooks_table, fulfil.function, "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:ConditionCheckItem"
        )
        data_stores.grant_table_actions(
            self.idempotency_table,
            fulfil.function,
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        )
        data_stores.grant_table_actions(audit_table, fulfil.function, "dynamodb:PutItem")
        data_stores.grant_table_actions(profile_table, fulfil.function, "dynamodb:UpdateItem")
        stream.grant_write(fulfil.function)

        self.scheduling = HookScheduling(self, "Hooks", target=fulfil.function, key=key, settings=settings)

        plan = PythonFunction(
            self,
            "PlanActions",
            source="plan_actions",
            description="Splits a contract's actions into immediate ones and hooks",
            settings=settings,
            layer=layer,
            environment={
                "BUSINESS_TIME_ZONE": settings.business_time_zone,
                "HOOK_LOCAL_TIME": settings.hook_local_time.strftime("%H:%M"),
            },
        )
        schedule = PythonFunction(
            self,
            "ScheduleHooks",
            source="schedule_hooks",
            description="Creates one one-time schedule per eventual action",
            settings=settings,
            layer=layer,
            timeout=Duration.seconds(60),
            environment={
                "SCHEDULE_GROUP_NAME": self.scheduling.group_name,
                "SCHEDULER_ROLE_ARN": self.scheduling.role.role_arn,
                "FULFIL_FUNCTION_ARN": fulfil.function.function_arn,
                "HOOK_DLQ_ARN": self.scheduling.dead_letter_queue.queue_arn,
                "HOOKS_TABLE_NAME": self.hooks_table.table_name,
            },
        )
        self.scheduling.grant_create_schedules(schedule.function)
        data_stores.grant_table_actions(
            self.hooks_table, schedule.function, "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:ConditionCheckItem"
        )

        workflow = AslStateMachine(
            self,
            "Workflow",
            definition_name="eventual_actions",
            state_machine_type=sfn.StateMachineType.STANDARD,
            settings=settings,
            substitutions={
                "PlanActionsFunctionArn": plan.function.function_arn,
                "FulfilActionFunctionArn": fulfil.function.function_arn,
                "ScheduleHooksFunctionArn": schedule.function.function_arn,
                "AuditTableName": audit_table.table_name,
                "RequestsTableName": requests_table.table_name,
                "AlertTopicArn": alert_topic.topic_arn,
            },
        )
        self.state_machine = workflow.state_machine
        for function in (plan, fulfil, schedule):
            allow_invoke(function.function, self.state_machine)
        data_stores.grant_table_actions(audit_table, self.state_machine, "dynamodb:PutItem")
        data_stores.grant_table_actions(requests_table, self.state_machine, "dynamodb:GetItem")
        alert_topic.grant_publish(self.state_machine)

        consumer = PythonFunction(
            self,
            "StreamConsumer",
            source="stream_consumer",
            description="Starts the eventual-actions workflow for each enrollment event",
            settings=settings,
            layer=layer,
            timeout=Duration.seconds(60),
            environment={
                "STATE_MACHINE_ARN": self.state_machine.state_machine_arn,
                "PARKED_RECORDS_QUEUE_URL": self.parked_records.queue_url,
            },
        )
        self.state_machine.grant_start_execution(consumer.function)
        self.parked_records.grant_send_messages(consumer.function)
        consumer.function.add_event_source(
            event_sources.KinesisEventSource(
                stream,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=10,
                retry_attempts=3,
                bisect_batch_on_error=True,
                # The handler parks bad records itself; this catches a batch that still fails.
                on_failure=event_sources.SqsDlq(self.parked_records),
            )
        )

        alarms = WorkflowAlarms(self, "Alarms", topic=alert_topic)
        alarms.on_failed_executions("EventualActions", self.state_machine)
        alarms.on_function_errors("FulfilActionErrors", fulfil.function)
        alarms.on_queued_messages("HookDeadLetters", self.scheduling.dead_letter_queue)
        alarms.on_queued_messages("ParkedStreamRecords", self.parked_records)

        CfnOutput(self, "StateMachineArn", value=self.state_machine.state_machine_arn)
        CfnOutput(self, "IdempotencyTableName", value=self.idempotency_table.table_name)
        CfnOutput(self, "ScheduleGroupName", value=self.scheduling.group_name)
        CfnOutput(self, "HookDeadLetterQueueUrl", value=self.scheduling.dead_letter_queue.queue_url)
        CfnOutput(self, "ParkedRecordsQueueUrl", value=self.parked_records.queue_url)
        CfnOutput(self, "FulfilFunctionName", value=fulfil.function.function_name)
        CfnOutput(self, "ScheduleHooksFunctionName", value=schedule.function.function_name)
