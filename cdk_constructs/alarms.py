"""CloudWatch alarms that notify the alert topic."""

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct


class WorkflowAlarms(Construct):
    """Alarms on failed executions, function errors and queued dead letters, sent to ``topic``."""

    def __init__(self, scope: Construct, construct_id: str, *, topic: sns.ITopic) -> None:
        super().__init__(scope, construct_id)
        self._action = actions.SnsAction(topic)
        self.alarms: list[cloudwatch.Alarm] = []

    def _add(self, construct_id: str, metric: cloudwatch.IMetric, description: str, *, notify: bool = True) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        if notify:
            alarm.add_alarm_action(self._action)
        self.alarms.append(alarm)

    def on_failed_executions(self, construct_id: str, state_machine: sfn.IStateMachine) -> None:
        """Alarm when any execution of ``state_machine`` fails, times out or is aborted."""
        for kind, metric in (
            ("Failed", state_machine.metric_failed(period=Duration.minutes(1))),
            ("TimedOut", state_machine.metric_timed_out(period=Duration.minutes(1))),
        ):
            self._add(f"{construct_id}{kind}", metric, f"{construct_id}: executions {kind.lower()} in the last minute")

    def on_function_errors(self, construct_id: str, function: lambda_.IFunction, *, notify: bool = True) -> None:
        """Alarm when ``function`` reports an error; ``notify=False`` keeps the alarm off the topic."""
        metric = function.metric_errors(period=Duration.minutes(1))
        self._add(construct_id, metric, f"{construct_id}: function errors", notify=notify)

    def on_queued_messages(self, construct_id: str, queue: sqs.IQueue, *, notify: bool = True) -> None:
        """Alarm when a dead-letter or parking queue contains a message."""
        metric = queue.metric_approximate_number_of_messages_visible(period=Duration.minutes(1))
        self._add(construct_id, metric, f"{construct_id}: messages waiting for an operator", notify=notify)
