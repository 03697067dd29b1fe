"""Turn alert messages from the SNS topic into PagerDuty Events API v2 ``trigger`` events.

Two message shapes arrive: workflow failures published by the state machines, and CloudWatch
alarm notifications. The routing key comes from Secrets Manager and is never logged.
"""

import json
import urllib.request
from functools import cache
from typing import Any

from common.aws import client
from common.config import require_env
from common.observability import logger
from common.outbound_url import is_allowed_outbound_url, no_redirect_opener

SUMMARY_LIMIT = 1024  # characters; PagerDuty rejects longer summaries
TIMEOUT_SECONDS = 5
SEVERITIES = ("critical", "error", "warning", "info")  # the only values PagerDuty accepts


class DeliveryError(Exception):
    """Raised when PagerDuty does not accept an event, so SNS retries the delivery."""


@cache
def _routing_key() -> str:
    secret = client("secretsmanager").get_secret_value(SecretId=require_env("ROUTING_KEY_SECRET_ARN"))
    return str(secret["SecretString"])


def build_event(message: dict[str, Any], routing_key: str) -> dict[str, Any]:
    """Map one alert message to a PagerDuty trigger event."""
    if "AlarmName" in message:
        summary = (
            f"{message['AlarmName']} is {message.get('NewStateValue', 'ALARM')}: {message.get('NewStateReason', '')}"
        )
        dedup_key = f"alarm-{message['AlarmName']}"
        source = "cloudwatch"
        details = {key: message.get(key) for key in ("AlarmName", "NewStateValue", "NewStateReason", "StateChangeTime")}
    else:
        summary = message.get("summary") or "contract enrollment workflow failed"
        dedup_key = message.get("correlationId") or message.get("contractId") or summary
        source = message.get("source", "contract-enrollment")
        details = {key: value for key, value in message.items() if key != "summary"}
    severity = message.get("severity")
    if severity not in SEVERITIES:
        severity = "error"
    return {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": str(dedup_key)[:255],
        "payload": {
            "summary": summary[:SUMMARY_LIMIT],
            "source": source,
            "severity": severity,
            "component": "contract-enrollment",
            "custom_details": details,
        },
    }


def send(event: dict[str, Any]) -> None:
    """POST one event to the configured Events API URL; raise DeliveryError unless it is accepted."""
    url = require_env("PAGERDUTY_EVENTS_URL")
    if not is_allowed_outbound_url(url):
        raise DeliveryError(f"PAGERDUTY_EVENTS_URL {url!r} must be https, or http on 127.0.0.1 for the local mock")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(event).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        # No redirect is followed: the event carries the routing key, which must not go elsewhere.
        with no_redirect_opener().open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except OSError as exc:
        raise DeliveryError(f"PagerDuty delivery of {event['dedup_key']} failed: {exc}") from exc
    if status != 202:
        raise DeliveryError(f"PagerDuty returned HTTP {status} for {event['dedup_key']}; expected 202")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Send one PagerDuty event per SNS record."""
    sent = 0
    for record in event.get("Records", []):
        raw = record["Sns"]["Message"]
        try:
            message = json.loads(raw)
        except json.JSONDecodeError:
            message = {"summary": raw}
        if not isinstance(message, dict):
            message = {"summary": str(message)}
        pd_event = build_event(message, _routing_key())
        send(pd_event)
        sent += 1
        logger.info("alert_sent", dedup_key=pd_event["dedup_key"], severity=pd_event["payload"]["severity"])
    return {"sent": sent}
