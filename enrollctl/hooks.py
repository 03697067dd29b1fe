"""Fire due hooks now, doing what EventBridge Scheduler would do when they come due.

Neither local emulator runs Scheduler faithfully: LocalStack never fires schedules, and
ministack fires them but ignores retry policies and dead-letter queues. Demos and tests also
cannot wait 16 days. ``fast_forward`` treats every schedule due within N days as due now: it invokes the
target with the schedule's stored input, retries as the schedule's retry policy allows, sends
the event to the schedule's dead-letter queue after the last failed attempt, and deletes the
schedule when its ActionAfterCompletion is DELETE.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from enrollctl.aws import Clients

_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")


class UnsupportedScheduleError(ValueError):
    """Raised for a schedule this tool cannot fire (a recurring expression or an unknown target)."""


@dataclass(kw_only=True)
class FiredHook:
    """Outcome of firing one schedule."""

    name: str
    due_at: datetime
    attempts: int = 0
    succeeded: bool = False
    dead_lettered: bool = False
    deleted: bool = False
    error: str | None = None
    results: list[Any] = field(default_factory=list)


def due_instant(schedule: dict[str, Any]) -> datetime:
    """Return the UTC instant of a one-time ``at()`` schedule, honouring its time zone."""
    match = _AT.match(schedule.get("ScheduleExpression", ""))
    if not match:
        raise UnsupportedScheduleError(f"schedule {schedule.get('Name')} is not a one-time at() schedule")
    zone = ZoneInfo(schedule.get("ScheduleExpressionTimezone") or "UTC")
    return datetime.fromisoformat(match.group(1)).replace(tzinfo=zone).astimezone(UTC)


def _invoke_lambda(clients: Clients, arn: str, payload: str) -> Any:
    response = clients.client("lambda").invoke(FunctionName=arn, InvocationType="RequestResponse", Payload=payload)
    body = response["Payload"].read().decode()
    if response.get("FunctionError"):
        raise RuntimeError(f"{response['FunctionError']}: {body[:500]}")
    return json.loads(body) if body else None


def _invoke(clients: Clients, target: dict[str, Any]) -> Any:
    arn = target["Arn"]
    payload = target.get("Input", "{}")
    if arn.startswith("arn:aws:lambda:"):
        return _invoke_lambda(clients, arn, payload)
    if arn.startswith("arn:aws:states:"):
        return clients.client("stepfunctions").start_execution(stateMachineArn=arn, input=payload)["executionArn"]
    if arn.startswith("arn:aws:sqs:"):
        return _send_to_queue(clients, arn, payload, {})
    raise UnsupportedScheduleError(f"target {arn} is not a Lambda function, state machine or queue")


def _send_to_queue(clients: Clients, queue_arn: str, body: str, attributes: dict[str, str]) -> str:
    sqs = clients.client("sqs")
    queue_name = queue_arn.rsplit(":", 1)[-1]
    queue_url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    message_attributes = {key: {"DataType": "String", "StringValue": value} for key, value in attributes.items()}
    return str(
        sqs.send_message(QueueUrl=queue_url, MessageBody=body, MessageAttributes=message_attributes)["MessageId"]
    )


def fire(clients: Clients, group: str, schedule: dict[str, Any], due_at: datetime) -> FiredHook:
    """Fire one schedule as Scheduler would: attempts, dead-letter queue, then completion action."""
    target = schedule["Target"]
    retries = int(target.get("RetryPolicy", {}).get("MaximumRetryAttempts", 0))
    fired = FiredHook(name=schedule["Name"], due_at=due_at)
    for _ in range(retries + 1):
        fired.attempts += 1
        try:
            fired.results.append(_invoke(clients, target))
        except UnsupportedScheduleError:
            raise
        except Exception as exc:  # noqa: BLE001 - any target failure counts as a failed attempt
            fired.error = str(exc)
            continue
        fired.succeeded = True
        fired.error = None
        break

    dead_letter_arn = target.get("DeadLetterConfig", {}).get("Arn")
    if not fired.succeeded and dead_letter_arn:
        attributes = {
            "ERROR_CODE": "TargetInvocationFailed",
            "ERROR_MESSAGE": (fired.error or "")[:256],
            "RETRY_ATTEMPTS": str(fired.attempts - 1),
            "TARGET_ARN": target["Arn"],
            "SCHEDULE_ARN": schedule.get("Arn", ""),
        }
        _send_to_queue(clients, dead_letter_arn, target.get("Input", "{}"), attributes)
        fired.dead_lettered = True

    if schedule.get("ActionAfterCompletion") == "DELETE":
        clients.client("scheduler").delete_schedule(Name=schedule["Name"], GroupName=group)
        fired.deleted = True
    return fired


def list_schedules(clients: Clients, group: str) -> list[dict[str, Any]]:
    """Return the full description of every schedule in ``group``."""
    scheduler = clients.client("scheduler")
    names: list[str] = []
    token: str | None = None
    while True:
        page = scheduler.list_schedules(GroupName=group, **({"NextToken": token} if token else {}))
        names.extend(item["Name"] for item in page.get("Schedules", []))
        token = page.get("NextToken")
        if not token:
            break
    return [scheduler.get_schedule(Name=name, GroupName=group) for name in names]


def fast_forward(
    clients: Clients,
    group: str,
    days: int,
    *,
    now: datetime | None = None,
    on_fired: Callable[[FiredHook], None] | None = None,
) -> list[FiredHook]:
    """Fire, in due order, every schedule of ``group`` due within ``days`` days of ``now``."""
    if days < 0:
        raise ValueError(f"days must be zero or more, got {days}")
    horizon = (now or datetime.now(UTC)) + timedelta(days=days)
    due = [(due_instant(schedule), schedule) for schedule in list_schedules(clients, group)]
    fired: list[FiredHook] = []
    for due_at, schedule in sorted(due, key=lambda pair: pair[0]):
        if due_at > horizon:
            continue
        result = fire(clients, group, schedule, due_at)
        fired.append(result)
        if on_fired:
            on_fired(result)
    return fired
