"""ImmediateWorkflowStack: API, eligibility, profile, payments, stream and audit."""

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from cdk_constructs import data_stores
from cdk_constructs.alarms import WorkflowAlarms
from cdk_constructs.contract_api import ContractApi
from cdk_constructs.hook_scheduling import grant_schedule_actions
from cdk_constructs.python_lambda import DependencyLayer, PythonFunction, allow_invoke
from cdk_constructs.state_machine import AslStateMachine
from stacks.settings import EnvironmentSettings

# How long a contract's lock lasts. It must outlive the API function (29 s), so only the lock
# of a request that crashed ever expires. The next request then takes it over.
LOCK_SECONDS = 60
# Above the HTTP rules engine's worst case (15 s) and below the workflow's 25 s, whose Check
# Eligibility state also gives up after 18 s.
ELIGIBILITY_TIMEOUT_SECONDS = 16


class ImmediateWorkflowStack(Stack):
    """The synchronous path: one request enrolls one contract or returns why not."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: EnvironmentSettings,
        alert_topic: sns.ITopic,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        key = data_stores.data_key(self, "DataKey", settings=settings, description="Encrypts contract enrollment data")
        self.profile_table = data_stores.table(
            self, "ProfileTable", partition_key="accountId", key=key, settings=settings
        )
        self.payments_table = data_stores.table(
            self, "PaymentsTable", partition_key="contractId", key=key, settings=settings
        )
        self.audit_table = data_stores.table(
            self, "AuditTable", partition_key="contractId", sort_key="auditId", key=key, settings=settings
        )
        # One item per contract id: the lock while a request runs, then the response it stored.
        self.requests_table = data_stores.table(
            self, "RequestsTable", partition_key="contractId", key=key, settings=settings
        )
        # The hooks table lives here, not with the eventual workflow that writes most of it,
        # because the API lists and cancels hooks, and EventualActionsStack depends on this stack.
        self.hooks_table = data_stores.table(
            self, "HooksTable", partition_key="contractId", sort_key="hookName", key=key, settings=settings
        )
        self.stream = data_stores.stream(self, "EnrollmentStream", settings=settings)

        layer = DependencyLayer(self, "Dependencies").layer
        rules_engine = (
            {
                "RULES_ENGINE_MODE": "http",
                "RULES_ENGINE_URL": settings.rules_engine_url,
                "RULES_ENGINE_TIMEOUT_SECONDS": str(settings.rules_engine_timeout_seconds),
                "RULES_ENGINE_MAX_ATTEMPTS": str(settings.rules_engine_max_attempts),
            }
            if settings.rules_engine_url
            else {"RULES_ENGINE_MODE": "local"}
        )
        eligibility = PythonFunction(
            self,
            "Eligibility",
            source="eligibility",
            description="Asks the rules engine (HTTP, or the bundled ruleset) whether a contract is eligible",
            settings=settings,
            layer=layer,
            # Attempts, timeouts and backoff stay under 15 s; a rules engine that trickles its
            # answer is cut off here, so the workflow still compensates and answers 502 in time.
            timeout=Duration.seconds(ELIGIBILITY_TIMEOUT_SECONDS),
            environment=rules_engine,
        )
        profile = PythonFunction(
            self,
            "Profile",
            source="customer_profile",
            description="Sets the customer profile status to ENROLLED",
            settings=settings,
            layer=layer,
            environment={"PROFILE_TABLE_NAME": self.profile_table.table_name},
        )
        data_stores.grant_table_actions(self.profile_table, profile.function, "dynamodb:UpdateItem")
        # Set-up and compensation reach the payments destination through the same settings.
        payments_destination = {"PAYMENTS_TABLE_NAME": self.payments_table.table_name, "PAYMENTS_DESTINATION": "ledger"}
        payments = PythonFunction(
            self,
            "Payments",
            source="payments",
            description="Sets up payments from the contract draft",
            settings=settings,
            layer=layer,
            environment=payments_destination,
        )
        data_stores.grant_table_actions(self.payments_table, payments.function, "dynamodb:PutItem")
        compensation = PythonFunction(
            self,
            "Compensation",
            source="compensation",
            description="Undoes a failed enrollment's completed steps in reverse order",
            settings=settings,
            layer=layer,
            environment={
                "PROFILE_TABLE_NAME": self.profile_table.table_name,
                **payments_destination,
                "STREAM_NAME": self.stream.stream_name,
            },
        )
        data_stores.grant_table_actions(
            self.profile_table, compensation.function, "dynamodb:UpdateItem", "dynamodb:DeleteItem"
        )
        data_stores.grant_table_actions(self.payments_table, compensation.function, "dynamodb:UpdateItem")
        self.stream.grant_write(compensation.function)

        workflow = AslStateMachine(
            self,
            "Workflow",
            definition_name="immediate_workflow",
            state_machine_type=sfn.StateMachineType.EXPRESS,
            settings=settings,
            substitutions={
                "EligibilityFunctionArn": eligibility.function.function_arn,
                "ProfileFunctionArn": profile.function.function_arn,
                "PaymentsFunctionArn": payments.function.function_arn,
                "CompensationFunctionArn": compensation.function.function_arn,
                "RequestsTableName": self.requests_table.table_name,
                "EnrollmentStreamName": self.stream.stream_name,
                "AuditTableName": self.audit_table.table_name,
                "AlertTopicArn": alert_topic.topic_arn,
            },
        )
        self.state_machine = workflow.state_machine
        for function in (eligibility, profile, payments, compensation):
            allow_invoke(function.function, self.state_machine)
        self.stream.grant_write(self.state_machine)
        data_stores.grant_table_actions(self.audit_table, self.state_machine, "dynamodb:PutItem")
        data_stores.grant_table_actions(
            self.requests_table, self.state_machine, "dynamodb:UpdateItem", "dynamodb:DeleteItem"
        )
        alert_topic.grant_publish(self.state_machine)

        api_function = PythonFunction(
            self,
            "ApiHandler",
            source="api",
            description="Validates a contract request and runs the immediate workflow",
            settings=settings,
            layer=layer,
            timeout=Duration.seconds(29),
            environment={
                "STATE_MACHINE_ARN": self.state_machine.state_machine_arn,
                "REQUESTS_TABLE_NAME": self.requests_table.table_name,
                "HOOKS_TABLE_NAME": self.hooks_table.table_name,
                "LOCK_SECONDS": str(LOCK_SECONDS),
            },
        )
        self.state_machine.grant_start_sync_execution(api_function.function)
        data_stores.grant_table_actions(
            self.requests_table, api_function.function, "dynamodb:PutItem", "dynamodb:GetItem"
        )
        # Only to read a contract's cancellation marker.
        data_stores.grant_table_actions(self.hooks_table, api_function.function, "dynamodb:GetItem")

        hooks_function = self._contract_hooks_function(settings, layer)
        self.api = ContractApi(
            self,
            "ContractApi",
            handler=api_function.function,
            hooks_handler=hooks_function.function,
            settings=settings,
        ).api

        alarms = WorkflowAlarms(self, "Alarms", topic=alert_topic)
        alarms.on_failed_executions("ImmediateWorkflow", self.state_machine)
        alarms.on_function_errors("ApiHandlerErrors", api_function.function)
        alarms.on_function_errors("CompensationErrors", compensation.function)

        outputs = {
            "ApiUrl": self.api.url,
            "RestApiId": self.api.rest_api_id,
            "StateMachineArn": self.state_machine.state_machine_arn,
            "ProfileTableName": self.profile_table.table_name,
            "PaymentsTableName": self.payments_table.table_name,
            "AuditTableName": self.audit_table.table_name,
            "RequestsTableName": self.requests_table.table_name,
            "CompensationFunctionName": compensation.function.function_name,
            "EligibilityFunctionName": eligibility.function.function_name,
            "HooksTableName": self.hooks_table.table_name,
            "StreamName": self.stream.stream_name,
        }
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)

    def _contract_hooks_function(self, settings: EnvironmentSettings, layer: lambda_.ILayerVersion) -> PythonFunction:
        """Create the function behind GET /contracts/{id}/hooks and DELETE /contracts/{id}."""
        hooks_function = PythonFunction(
            self,
            "ContractHooks",
            source="contract_hooks",
            description="Lists a contract's hooks and cancels a contract's pending hooks",
            settings=settings,
            layer=layer,
            environment={
                "HOOKS_TABLE_NAME": self.hooks_table.table_name,
                "AUDIT_TABLE_NAME": self.audit_table.table_name,
                "REQUESTS_TABLE_NAME": self.requests_table.table_name,
                "SCHEDULE_GROUP_NAME": settings.hook_schedule_group_name,
            },
        )
        data_stores.grant_table_actions(
            self.hooks_table, hooks_function.function, "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"
        )
        data_stores.grant_table_actions(self.audit_table, hooks_function.function, "dynamodb:Query", "dynamodb:PutItem")
        # Only to see an enrollment that is still running, so it can be cancelled too.
        data_stores.grant_table_actions(self.requests_table, hooks_function.function, "dynamodb:GetItem")
        grant_schedule_actions(
            hooks_function.function,
            self,
            settings.hook_schedule_group_name,
            ["scheduler:DeleteSchedule"],
            reason=(
                "Cancelling a contract deletes its pending hook schedules, whose names are made at run "
                "time, so the function may delete any schedule, but only inside the hooks schedule group."
            ),
        )
        return hooks_function
