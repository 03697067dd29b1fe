"""Fire due hooks now, doing what EventBridge Scheduler would do when they come due.

Neither local emulator runs Scheduler faithfully: LocalStack never fires schedules, and
ministack fires them but ignores retry policies and dead-letter queues. Demos and tests also
cannot wait 16 days. ``fast_forward`` treats every schedule due within N days as due now. It
invokes the target with the schedule's stored input and retries (see ``fire``). After the last
failed attempt it sends the event to a dead-letter queue, and it deletes the schedule when its
ActionAfterCompletion is DELETE.
"""

import contextlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    skipped: bool = False
    error: str | None = None
    results: list[Any] = field(default_factory=list)

    @property
    def target_status(self) -> str | None:
        """Return the status in the fulfillment function's last response (FULFILLED, SKIPPED, CANCELLED)."""
        last = self.results[-1] if self.results else None
        status = last.get("status") if isinstance(last, dict) else None
        return str(status) if status is not None else None


def due_instant(schedule: dict[str, Any]) -> datetime:
    """Return the UTC instant of a one-time ``at()`` schedule, honouring its time zone."""
    match = _AT.match(schedule.get("ScheduleExpression", ""))
    if not match:
        raise UnsupportedScheduleError(f"schedule {schedule.get('Name')} is not a one-time at() schedule")
    zone_name = schedule.get("ScheduleExpressionTimezone") or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnsupportedScheduleError(f"schedule {schedule.get('Name')} has unknown time zone {zone_name!r}") from None
    return datetime.fromisoformat(match.group(1)).replace(tzinfo=zone).astimezone(UTC)


class HandlerError(RuntimeError):
    """Raised when a Lambda target accepted the event and its handler failed."""


def _invoke_lambda(clients: Clients, arn: str, payload: str) -> Any:
    response = clients.client("lambda").invoke(FunctionName=arn, InvocationType="RequestResponse", Payload=payload)
    body = response["Payload"].read().decode()
    if response.get("FunctionError"):
        raise HandlerError(f"{response['FunctionError']}: {body[:500]}")
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


def _async_failure_policy(clients: Clients, target_arn: str) -> tuple[int, str | None] | None:
    """Return the retry count and on-failure destination of a Lambda target, or None when it has none.

    Scheduler invokes Lambda asynchronously, so once Lambda accepts the event a handler error
    follows the function's own asynchronous settings, not the schedule's retry policy.
    """
    if not target_arn.startswith("arn:aws:lambda:"):
        return None
    lambda_client = clients.client("lambda")
    try:
        config = lambda_client.get_function_event_invoke_config(FunctionName=target_arn)
    except lambda_client.exceptions.ResourceNotFoundException:
        return None
    destination = config.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
    return int(config.get("MaximumRetryAttempts", 2)), destination


def _send_to_queue(clients: Clients, queue_arn: str, body: str, attributes: dict[str, str]) -> str:
    sqs = clients.client("sqs")
    queue_name = queue_arn.rsplit(":", 1)[-1]
    queue_url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    message_attributes = {key: {"DataType": "String", "StringValue": value} for key, value in attributes.items()}
    return str(
        sqs.send_message(QueueUrl=queue_url, MessageBody=body, MessageAttributes=message_attributes)["MessageId"]
    )


# Pauses before the 2nd, 3rd and later attempts. Scheduler and Lambda wait minutes between
# retries, while fast-forward waits seconds. That is enough for another delivery's claim on the
# hook to end, because one run of an action takes well under a second.
RETRY_PAUSES_SECONDS = (0.5, 1.0, 2.0)


def _pause_before_retry(failed_attempts: int) -> None:
    time.sleep(RETRY_PAUSES_SECONDS[min(failed_attempts, len(RETRY_PAUSES_SECONDS)) - 1])


def fire(clients: Clients, group: str, schedule: dict[str, Any], due_at: datetime) -> FiredHook:
    """Fire one schedule as Scheduler would: attempts, dead-letter queue, then completion action.

    A failed delivery (the invoke call itself fails) is retried per the schedule's retry policy
    and then sent to the schedule's dead-letter queue. A handler error is retried per the Lambda
    function's asynchronous invoke config and then sent to its on-failure destination.
    """
    target = schedule["Target"]
    fired = FiredHook(name=schedule["Name"], due_at=due_at)
    schedule_dlq = target.get("DeadLetterConfig", {}).get("Arn")
    delivery_attempts = int(target.get("RetryPolicy", {}).get("MaximumRetryAttempts", 0)) + 1
    async_policy = _async_failure_policy(clients, target["Arn"])
    if async_policy is None:
        # NOTE: without an asynchronous invoke config (the embedded emulator drops the one the
        # template defines) handler errors get the schedule's retry policy and dead-letter queue.
        handler_attempts, handler_dlq = delivery_attempts, schedule_dlq
    else:
        handler_attempts, handler_dlq = async_policy[0] + 1, async_policy[1]

    failures = {"delivery": 0, "handler": 0}
    failure_kind = "delivery"
    while True:
        fired.attempts += 1
        try:
            fired.results.append(_invoke(clients, target))
        except UnsupportedScheduleError:
            raise
        except Exception as exc:  # noqa: BLE001 - any target failure counts as a failed attempt
            failure_kind = "handler" if isinstance(exc, HandlerError) else "delivery"
            failures[failure_kind] += 1
            fired.error = str(exc)
            limit = handler_attempts if failure_kind == "handler" else delivery_attempts
            if failures[failure_kind] >= limit:
                break
            _pause_before_retry(failures[failure_kind])
            continue
        fired.succeeded = True
        fired.error = None
        break

    dead_letter_arn = handler_dlq if failure_kind == "handler" else schedule_dlq
    if not fired.succeeded and dead_letter_arn:
        attributes = {
            "ERROR_CODE": "TargetInvocationFailed" if failure_kind == "delivery" else "HandlerFailed",
            "ERROR_MESSAGE": (fired.error or "")[:256],
            "RETRY_ATTEMPTS": str(fired.attempts - 1),
            "TARGET_ARN": target["Arn"],
            "SCHEDULE_ARN": schedule.get("Arn", ""),
        }
        _send_to_queue(clients, dead_letter_arn, target.get("Input", "{}"), attributes)
        fired.dead_lettered = True

    if schedule.get("ActionAfterCompletion") == "DELETE":
        scheduler = clients.client("scheduler")
        # A concurrent run may have fired and deleted it first.
        with contextlib.suppress(scheduler.exceptions.ResourceNotFoundException):
            scheduler.delete_schedule(Name=schedule["Name"], GroupName=group)
        fired.deleted = True
    return fired


# The embedded emulator returns at most this many schedules per list call and no NextToken.
EMULATOR_PAGE_SIZE = 100
MAX_LIST_ROUNDS = 1000


def list_schedules(clients: Clients, group: str) -> list[dict[str, Any]]:
    """Return the full description of every schedule in ``group`` (one listing).

    A schedule deleted between the listing and its description (fired by a concurrent run) is
    left out.
    """
    scheduler = clients.client("scheduler")
    names: list[str] = []
    token: str | None = None
    while True:
        page = scheduler.list_schedules(GroupName=group, **({"NextToken": token} if token else {}))
        names.extend(item["Name"] for item in page.get("Schedules", []))
        token = page.get("NextToken")
        if not token:
            break
    schedules = []
    for name in names:
        try:
            schedules.append(scheduler.get_schedule(Name=name, GroupName=group))
        except scheduler.exceptions.ResourceNotFoundException:
            continue
    return schedules


def fast_forward(
    clients: Clients,
    group: str,
    days: int,
    *,
    now: datetime | None = None,
    on_fired: Callable[[FiredHook], None] | None = None,
) -> list[FiredHook]:
    """Fire, in due order, every schedule of ``group`` due within ``days`` days of ``now``.

    Fired schedules delete themselves, so when a listing may have been cut at the emulator's page
    size the group is listed again until no due schedule is left.
    """
    if days < 0:
        raise ValueError(f"days must be zero or more, got {days}")
    horizon = (now or datetime.now(UTC)) + timedelta(days=days)
    fired: list[FiredHook] = []
    seen: set[str] = set()
    for _ in range(MAX_LIST_ROUNDS):
        listed = list_schedules(clients, group)
        due: list[tuple[datetime, dict[str, Any]]] = []
        for schedule in listed:
            if schedule["Name"] in seen:
                continue
            try:
                due_at = due_instant(schedule)
            except UnsupportedScheduleError as exc:
                # Not a hook this tool can fire: report it once and go on with the others.
                seen.add(schedule["Name"])
                fired.append(FiredHook(name=schedule["Name"], due_at=horizon, skipped=True, error=str(exc)))
                continue
            if due_at <= horizon:
                due.append((due_at, schedule))
        for due_at, schedule in sorted(due, key=lambda pair: pair[0]):
            seen.add(schedule["Name"])
            try:
                result = fire(clients, group, schedule, due_at)
            except UnsupportedScheduleError as exc:
                result = FiredHook(name=schedule["Name"], due_at=due_at, skipped=True, error=str(exc))
            fired.append(result)
            if on_fired:
                on_fired(result)
        if not due or len(listed) < EMULATOR_PAGE_SIZE:
            break
    return fired
