"""Schedule Hooks step: one one-time EventBridge Scheduler schedule per eventual action.

Each schedule invokes the fulfillment function with the hook as its input and deletes itself
after it has run. A hook that already exists (a replayed execution) counts as scheduled.
"""

import json
from typing import Any

from common.aws import client, table
from common.config import require_env
from common.faults import raise_if_injected
from common.observability import logger

PENDING = "PENDING"
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


def _record_pending(hook: dict[str, Any]) -> bool:
    """Record ``hook`` as pending; return False when it has already left that state.

    A retried or replayed step must not re-create the schedule of a hook that has fired and
    deleted itself, or the action would run twice.
    """
    hooks = table(require_env("HOOKS_TABLE_NAME"))
    try:
        hooks.put_item(
            Item={
                "contractId": hook["contractId"],
                "hookName": hook["hookName"],
                "accountId": hook["accountId"],
                "actionName": hook["action"]["name"],
                "offset": hook["action"]["offset"],
                "scheduledFor": hook["scheduledFor"],
                "scheduleExpression": hook["scheduleExpression"],
                "status": PENDING,
            },
            ConditionExpression="attribute_not_exists(hookName) OR #status = :pending",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":pending": PENDING},
        )
    except hooks.meta.client.exceptions.ConditionalCheckFailedException:
        logger.info("hook_no_longer_pending", hook_name=hook["hookName"])
        return False
    return True


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Create the schedules of ``event['eventual']`` and record each hook as pending."""
    hooks = event["eventual"]
    if hooks:
        logger.append_keys(contract_id=hooks[0]["contractId"])
    raise_if_injected(event, "schedule_hooks")
    created = 0
    for hook in hooks:
        if not _record_pending(hook):
            continue
        if _create_schedule(hook):
            created += 1
        else:
            logger.info("hook_already_scheduled", hook_name=hook["hookName"])
    # "created" is a reserved LogRecord attribute, so the count goes under another key.
    logger.info("hooks_scheduled", schedules_created=created, hooks=len(hooks))
    return {"created": created, "total": len(hooks), "hookNames": [hook["hookName"] for hook in hooks]}
