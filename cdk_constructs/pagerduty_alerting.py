"""The alert topic and the function that forwards its messages to PagerDuty."""

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from cdk_constructs.data_stores import data_key, queue, removal_policy
from cdk_constructs.python_lambda import PythonFunction
from stacks.settings import EnvironmentSettings


class PagerDutyAlerting(Construct):
    """An encrypted SNS topic and a subscribed notifier that sends PagerDuty Events API v2 triggers.

    The routing key lives in Secrets Manager. The stack creates the secret with a generated
    placeholder value; on AWS an operator replaces it with the real integration key.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: EnvironmentSettings,
        layer: lambda_.ILayerVersion,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = data_key(self, "Key", settings=settings, description="Encrypts the contract enrollment alert topic")
        alarms_of_this_account = {
            "StringEquals": {"aws:SourceAccount": settings.account},
            "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{settings.region}:{settings.account}:alarm:*"},
        }
        # CloudWatch alarms publish to the topic, so the service needs to use its key.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions=alarms_of_this_account,
            )
        )
        self.topic = sns.Topic(
            self, "Topic", master_key=self.key, enforce_ssl=True, display_name="Contract enrollment alerts"
        )
        # A topic policy replaces SNS's default one, which is what lets same-account alarms publish.
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions=alarms_of_this_account,
            )
        )
        # SNS invokes the notifier asynchronously; alerts it still cannot deliver after Lambda's
        # retries wait here for an operator instead of being dropped.
        self.undelivered = queue(self, "UndeliveredAlerts", key=self.key, settings=settings)

        self.routing_key = secretsmanager.Secret(
            self,
            "RoutingKey",
            description="PagerDuty Events API v2 routing key of the contract enrollment service",
            generate_secret_string=secretsmanager.SecretStringGenerator(exclude_punctuation=True, password_length=32),
            removal_policy=removal_policy(settings),
        )

        self.notifier = PythonFunction(
            self,
            "Notifier",
            source="pagerduty_notifier",
            description="Forwards alert topic messages to PagerDuty",
            settings=settings,
            layer=layer,
            timeout=Duration.seconds(20),
            environment={
                "PAGERDUTY_EVENTS_URL": settings.pagerduty_events_url,
                "ROUTING_KEY_SECRET_ARN": self.routing_key.secret_arn,
            },
        )
        self.routing_key.grant_read(self.notifier.function)
        self.notifier.function.configure_async_invoke(
            on_failure=destinations.SqsDestination(self.undelivered), retry_attempts=2
        )
        self.topic.add_subscription(subscriptions.LambdaSubscription(self.notifier.function))
