"""Schedule Hooks step: one one-time EventBridge Scheduler schedule per eventual action.

Each schedule invokes the fulfillment function with the hook as its input and deletes itself
after it has run. A hook that already exists (a replayed execution) counts as scheduled. No
hook is recorded once its contract is cancelled, and a schedule created while the contract was
being cancelled is deleted again.
"""

import contextlib
import json
from typing import Any

from common.aws import client, table
from common.config import require_env
from common.faults import raise_if_injected
from common.hook_store import (
    CANCELLED,
    FULFILLED,
    PENDING,
    SKIPPED,
    WriteOutcome,
    is_cancelled,
    write_unless_cancelled,
)
from common.observability import logger

# Scheduler retries a failed invocation this many times within this many seconds, then sends
# the event to the dead-letter queue.
MAX_RETRY_ATTEMPTS = 3
MAX_EVENT_AGE_SECONDS = 6 * 60 * 60


def _create_schedule(hook: dict[str, Any]) -> bool:
    """Create the schedule of ``hook``; return False when it already exists."""
    scheduler = client("scheduler")
    action = hook["action"]
    target_input = {
        "contractId": hook["contractId"],
        "accountId": hook["accountId"],
        "action": hook["action"],
        "hookName": hook["hookName"],
        "scheduledFor": hook["scheduledFor"],
    }
    try:
        scheduler.create_schedule(
            Name=hook["hookName"],
            GroupName=require_env("SCHEDULE_GROUP_NAME"),
            ScheduleExpression=hook["scheduleExpression"],
            ScheduleExpressionTimezone="UTC",
            FlexibleTimeWindow={"Mode": "OFF"},
            ActionAfterCompletion="DELETE",
            Description=f"{action['name']} of contract {hook['contractId']}, offset {action['offset']} days",
            Target={
                "Arn": require_env("FULFIL_FUNCTION_ARN"),
                "RoleArn": require_env("SCHEDULER_ROLE_ARN"),
                "Input": json.dumps(target_input),
                "RetryPolicy": {
                    "MaximumRetryAttempts": MAX_RETRY_ATTEMPTS,
                    "MaximumEventAgeInSeconds": MAX_EVENT_AGE_SECONDS,
                },
                "DeadLetterConfig": {"Arn": require_env("HOOK_DLQ_ARN")},
            },
        )
    except scheduler.exceptions.ConflictException:
        return False
    return True


def _record_pending(hook: dict[str, Any]) -> WriteOutcome:
    """Record ``hook`` as pending unless it has left that state or its contract was cancelled.

    A retried or replayed step must not re-create the schedule of a hook that has fired and
    deleted itself, or the action would run twice.
    """
    return write_unless_cancelled(
        require_env("HOOKS_TABLE_NAME"),
        hook["contractId"],
        "Put",
        {
            "Item": {
                "contractId": hook["contractId"],
                "hookName": hook["hookName"],
                "accountId": hook["accountId"],
                "actionName": hook["action"]["name"],
                "offset": hook["action"]["offset"],
                "scheduledFor": hook["scheduledFor"],
                "scheduleExpression": hook["scheduleExpression"],
                "status": PENDING,
            },
            "ConditionExpression": "attribute_not_exists(hookName) OR #status = :pending",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":pending": PENDING},
        },
    )


def _delete_if_cancelled(hook: dict[str, Any]) -> bool:
    """Delete the schedule of ``hook`` when its record was cancelled meanwhile, and return True if so.

    A cancellation that ran between the PENDING record and the new schedule found no schedule
    to delete, so the schedule is removed here instead.

    NOTE: no test reaches the deletion, because it needs a cancellation between two calls of
    one invocation.
    """
    key = {"contractId": hook["contractId"], "hookName": hook["hookName"]}
    record = table(require_env("HOOKS_TABLE_NAME")).get_item(Key=key, ConsistentRead=True).get("Item") or {}
    if record.get("status") != CANCELLED:
        return False
    scheduler = client("scheduler")
    with contextlib.suppress(scheduler.exceptions.ResourceNotFoundException):
        scheduler.delete_schedule(Name=hook["hookName"], GroupName=require_env("SCHEDULE_GROUP_NAME"))
    logger.info("cancelled_hook_schedule_deleted", hook_name=hook["hookName"])
    return True


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Create the schedules of ``event['eventual']`` and record each hook as pending."""
    hooks = event["eventual"]
    if hooks:
        logger.append_keys(contract_id=hooks[0]["contractId"])
    raise_if_injected(event, "schedule_hooks")
    created = 0
    scheduled = 0
    cancelled = False
    for hook in hooks:
        outcome = _record_pending(hook)
        if outcome is WriteOutcome.CONTRACT_CANCELLED:
            cancelled = True
            logger.info("contract_cancelled_hooks_not_scheduled", hook_name=hook["hookName"])
            break
        if outcome is WriteOutcome.CONDITION_FAILED:
            logger.info("hook_no_longer_pending", hook_name=hook["hookName"])
            continue
        if _create_schedule(hook):
            created += 1
        else:
            logger.info("hook_already_scheduled", hook_name=hook["hookName"])
        if _delete_if_cancelled(hook):
            cancelled = True
        else:
            scheduled += 1
    # Offset-0 results from the workflow's Map; SKIPPED means an earlier delivery fulfilled it.
    immediate_results = event.get("fulfilled") or []
    fulfilled_now = sum(1 for result in immediate_results if result.get("status") in {FULFILLED, SKIPPED})
    # The loop above detects a cancellation only when it has hooks to write, so the offset-0
    # results and the contract's cancellation marker are checked too.
    contract_id = event.get("contractId")
    cancelled = (
        cancelled
        or any(result.get("status") == CANCELLED for result in immediate_results)
        or (isinstance(contract_id, str) and is_cancelled(require_env("HOOKS_TABLE_NAME"), contract_id))
    )
    # "created" is a reserved LogRecord attribute, so the count goes under another key.
    logger.info(
        "hooks_scheduled",
        schedules_created=created,
        hooks_scheduled=scheduled,
        hooks=len(hooks),
        contract_cancelled=cancelled,
    )
    return {
        "created": created,
        "scheduled": scheduled,
        "total": len(hooks),
        "immediateFulfilled": fulfilled_now,
        "contractCancelled": cancelled,
        "hookNames": [hook["hookName"] for hook in hooks],
    }
