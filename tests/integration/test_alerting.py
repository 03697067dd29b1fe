"""CloudWatch alarms reach the mock PagerDuty through the alert topic and the notifier."""

from typing import Any

import pytest

from tests.integration.helpers import poll

pytestmark = pytest.mark.integration


def test_alarm_reaches_pagerduty(deployment: Any) -> None:
    cloudwatch = deployment.clients.client("cloudwatch")
    topic_arn = deployment.clients.outputs()["ContractEnrollment-Alerting"]["AlertTopicArn"]
    alarms = [a for a in cloudwatch.describe_alarms()["MetricAlarms"] if topic_arn in a.get("AlarmActions", [])]
    names = [alarm["AlarmName"] for alarm in alarms]
    assert any("ImmediateWorkflow" in name for name in names), names
    assert any("HookDeadLetters" in name for name in names), names
    alarm_name = next(name for name in names if "HookDeadLetters" in name)

    # NOTE: the emulator emits no service metrics, so the alarm is driven by hand; on AWS the
    # queue's ApproximateNumberOfMessagesVisible metric drives it.
    cloudwatch.set_alarm_state(AlarmName=alarm_name, StateValue="ALARM", StateReason="integration test")

    events = poll(
        lambda: [e for e in deployment.alerts() if e["dedup_key"] == f"alarm-{alarm_name}"],
        description=f"a PagerDuty event for alarm {alarm_name}",
    )
    assert events[0]["payload"]["source"] == "cloudwatch"
    assert "ALARM" in events[0]["payload"]["summary"]
