"""EventBridge Scheduler resources for hooks: group, invoking role and dead-letter queue."""

from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from cdk_constructs import data_stores
from cdk_constructs.python_lambda import allow_invoke
from stacks.nag import acknowledge
from stacks.settings import EnvironmentSettings


class HookScheduling(Construct):
    """A schedule group for one-time hook schedules and the role Scheduler assumes to fire them.

    The role may invoke only ``target`` and send only to the dead-letter queue.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        target: lambda_.IFunction,
        key: kms.IKey,
        settings: EnvironmentSettings,
    ) -> None:
        super().__init__(scope, construct_id)
        self.group = scheduler.CfnScheduleGroup(self, "Group", name=settings.hook_schedule_group_name)
        self.dead_letter_queue = data_stores.queue(self, "DeadLetterQueue", key=key, settings=settings)
        group_arn = f"arn:aws:scheduler:{settings.region}:{settings.account}:schedule-group/{self.group_name}"
        self.role = iam.Role(
            self,
            "Role",
            # Both conditions stop another account's or another group's schedules from using the role.
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": settings.account},
                    "ArnEquals": {"aws:SourceArn": group_arn},
                },
            ),
            description="Assumed by EventBridge Scheduler to fire contract hooks",
        )
        allow_invoke(target, self.role)
        self.dead_letter_queue.grant_send_messages(self.role)

        # Scheduler invokes Lambda asynchronously: its retry policy and dead-letter queue cover
        # only failed deliveries. A handler error goes through Lambda's own asynchronous retries,
        # and then to the same dead-letter queue, so one alarm watches both kinds of failure.
        target.configure_async_invoke(
            on_failure=destinations.SqsDestination(self.dead_letter_queue),
            retry_attempts=2,
            max_event_age=Duration.hours(6),
        )

    @property
    def group_name(self) -> str:
        return str(self.group.name)

    def grant_create_schedules(self, grantee: iam.IGrantable) -> None:
        """Allow ``grantee`` to create and delete schedules in this group and to pass the role to Scheduler."""
        grant_schedule_actions(
            grantee,
            self,
            self.group_name,
            ["scheduler:CreateSchedule", "scheduler:DeleteSchedule"],
            reason=(
                "Hook schedules are created at run time, one per contract action, so the grantee may create "
                "(and, for a cancelled contract, delete) any schedule, but only inside the hooks schedule group."
            ),
        )
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[self.role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
            )
        )


def grant_schedule_actions(
    grantee: iam.IGrantable, scope: Construct, group_name: str, actions: list[str], *, reason: str
) -> None:
    """Allow ``grantee`` exactly ``actions`` on every schedule of group ``group_name``.

    The ARN is built from the group name, not from the group resource, so a stack that does not
    own the group can be granted without a cross-stack reference. The wildcard over schedule
    names is acknowledged on the stack with ``reason``.
    """
    stack = Stack.of(scope)
    region, account = stack.region, stack.account
    schedules = f"arn:{stack.partition}:scheduler:{region}:{account}:schedule/{group_name}/*"
    grantee.grant_principal.add_to_principal_policy(iam.PolicyStatement(actions=actions, resources=[schedules]))
    finding = f"IAM5[Resource::arn:<AWS::Partition>:scheduler:{region}:{account}:schedule/{group_name}/*]"
    acknowledge(stack, {finding: reason})
