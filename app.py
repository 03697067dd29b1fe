#!/usr/bin/env python3
"""Build the three stacks of one environment from cdk.json settings; no AWS calls at synth."""

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from stacks.alerting import AlertingStack
from stacks.eventual_actions import EventualActionsStack
from stacks.immediate_workflow import ImmediateWorkflowStack
from stacks.nag import acknowledge_findings
from stacks.settings import EnvironmentSettings, load_settings

STACK_PREFIX = "ContractEnrollment"


def build_app(app: cdk.App, settings: EnvironmentSettings) -> list[cdk.Stack]:
    """Add the alerting, immediate and eventual stacks of ``settings`` to ``app``."""
    env = cdk.Environment(account=settings.account, region=settings.region)
    alerting = AlertingStack(app, f"{STACK_PREFIX}-Alerting", settings=settings, env=env)
    immediate = ImmediateWorkflowStack(
        app, f"{STACK_PREFIX}-ImmediateWorkflow", settings=settings, alert_topic=alerting.topic, env=env
    )
    eventual = EventualActionsStack(
        app,
        f"{STACK_PREFIX}-EventualActions",
        settings=settings,
        stream=immediate.stream,
        profile_table=immediate.profile_table,
        audit_table=immediate.audit_table,
        requests_table=immediate.requests_table,
        hooks_table=immediate.hooks_table,
        alert_topic=alerting.topic,
        env=env,
    )
    stacks: list[cdk.Stack] = [alerting, immediate, eventual]
    for stack in stacks:
        cdk.Tags.of(stack).add("service", "contract-enrollment")
        cdk.Tags.of(stack).add("environment", settings.name)
        acknowledge_findings(stack)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return stacks


def main() -> None:
    app = cdk.App()
    env_name = app.node.try_get_context("env") or "local"
    settings = load_settings(
        app.node.try_get_context("environments") or {},
        env_name,
        pagerduty_events_url=app.node.try_get_context("pagerDutyEventsUrl"),
        rules_engine_url=app.node.try_get_context("rulesEngineUrl"),
    )
    build_app(app, settings)
    app.synth()


if __name__ == "__main__":
    main()
