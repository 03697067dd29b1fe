"""AlertingStack: the alert topic every failure publishes to, and the PagerDuty notifier."""

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from cdk_constructs.alarms import WorkflowAlarms
from cdk_constructs.pagerduty_alerting import PagerDutyAlerting
from cdk_constructs.python_lambda import DependencyLayer
from stacks.settings import EnvironmentSettings


class AlertingStack(Stack):
    """SNS topic, PagerDuty notifier and the alarm on the notifier itself."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: EnvironmentSettings, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        layer = DependencyLayer(self, "Dependencies").layer
        self.alerting = PagerDutyAlerting(self, "Alerting", settings=settings, layer=layer)
        self.topic = self.alerting.topic

        # A notifier that cannot reach PagerDuty cannot report itself through the topic it
        # reads, so its alarm has no action; it still shows in CloudWatch.
        alarms = WorkflowAlarms(self, "Alarms", topic=self.topic)
        alarms.on_function_errors("NotifierErrors", self.alerting.notifier.function, notify=False)
        alarms.on_queued_messages("UndeliveredAlerts", self.alerting.undelivered, notify=False)

        CfnOutput(self, "AlertTopicArn", value=self.topic.topic_arn)
        CfnOutput(self, "NotifierFunctionName", value=self.alerting.notifier.function.function_name)
        CfnOutput(self, "RoutingKeySecretArn", value=self.alerting.routing_key.secret_arn)
        CfnOutput(self, "UndeliveredAlertsQueueUrl", value=self.alerting.undelivered.queue_url)
