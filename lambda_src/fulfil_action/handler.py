"""Fulfil an action: called by the workflow for offset 0 and by Scheduler when a hook comes due."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from common.actions import ActionContext, handler_for
from common.aws import client, table
from common.config import require_env
from common.faults import raise_if_injected
from common.observability import logger

FULFILLED = "FULFILLED"
PENDING = "PENDING"
IN_PROGRESS = "IN_PROGRESS"
SKIPPED = "SKIPPED"
# Twice the function's 30 s timeout: a claim this old belongs to a delivery that has ended, and
# Lambda's first asynchronous retry (about a minute later) can take it over.
CLAIM_TIMEOUT = timedelta(seconds=60)


def _record(hook: dict[str, Any], result: dict[str, Any], fulfilled_at: str) -> None:
    action = hook["action"]
    table(require_env("HOOKS_TABLE_NAME")).update_item(
        Key={"contractId": hook["contractId"], "hookName": hook["hookName"]},
        UpdateExpression=(
            "SET #status = :fulfilled, fulfilledAt = :now, accountId = :account, actionName = :name,"
            " #offset = :offset, scheduledFor = :scheduled, #result = :result REMOVE claimedAt, lastError"
        ),
        ExpressionAttributeNames={"#status": "status", "#offset": "offset", "#result": "result"},
        ExpressionAttributeValues={
            ":fulfilled": FULFILLED,
            ":now": fulfilled_at,
            ":account": hook["accountId"],
            ":name": action["name"],
            ":offset": action["offset"],
            ":scheduled": hook["scheduledFor"],
            ":result": json.dumps(result),
        },
    )
    table(require_env("AUDIT_TABLE_NAME")).put_item(
        Item={
            "contractId": hook["contractId"],
            "auditId": f"{fulfilled_at}#ACTION_FULFILLED#{hook['hookName']}",
            "outcome": "ACTION_FULFILLED",
            "actionName": action["name"],
            "offset": action["offset"],
            "hookName": hook["hookName"],
        }
    )
    client("kinesis").put_record(
        StreamName=require_env("STREAM_NAME"),
        PartitionKey=hook["accountId"],
        Data=json.dumps(
            {
                "eventType": "ActionFulfilled",
                "contractId": hook["contractId"],
                "accountId": hook["accountId"],
                "actionName": action["name"],
                "offset": action["offset"],
                "hookName": hook["hookName"],
                "fulfilledAt": fulfilled_at,
            }
        ).encode(),
    )


def _hook_key(hook: dict[str, Any]) -> dict[str, str]:
    return {"contractId": hook["contractId"], "hookName": hook["hookName"]}


class HookBusyError(Exception):
    """Raised when another delivery has a live claim on the hook, so this one is retried later."""


class HookNotScheduledError(Exception):
    """Raised for a hook with an offset above 0 that has no matching scheduled record."""


def _claim(hook: dict[str, Any], now: datetime) -> str | None:
    """Mark the hook IN_PROGRESS and return the claim token, or None when it is already fulfilled.

    The conditional update makes concurrent deliveries of one hook (a Scheduler retry, a
    fast-forward run) race for one claim, so the action runs once. A claim older than
    CLAIM_TIMEOUT belongs to a delivery that died and may be taken over. A hook with an offset
    above 0 must have the PENDING record that Schedule Hooks wrote, for the same account and
    action. Offset-0 actions come from the workflow and have no record yet.
    """
    action = hook["action"]
    claimable = "#status = :pending OR (#status = :in_progress AND claimedAt < :stale)"
    if action["offset"] == 0:
        condition = f"attribute_not_exists(hookName) OR {claimable}"
    else:
        condition = f"accountId = :account AND actionName = :name AND ({claimable})"
    token = now.isoformat()
    hooks = table(require_env("HOOKS_TABLE_NAME"))
    try:
        hooks.update_item(
            Key=_hook_key(hook),
            UpdateExpression="SET #status = :in_progress, claimedAt = :now",
            ConditionExpression=condition,
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":in_progress": IN_PROGRESS,
                ":pending": PENDING,
                ":now": token,
                ":stale": (now - CLAIM_TIMEOUT).isoformat(),
                **({} if action["offset"] == 0 else {":account": hook["accountId"], ":name": action["name"]}),
            },
        )
    except hooks.meta.client.exceptions.ConditionalCheckFailedException:
        record = hooks.get_item(Key=_hook_key(hook), ConsistentRead=True).get("Item")
        if record is None or (action["offset"] > 0 and record.get("actionName") != action["name"]):
            raise HookNotScheduledError(f"hook {hook['hookName']} has no scheduled record for this action") from None
        if record.get("status") == FULFILLED:
            return None
        raise HookBusyError(f"hook {hook['hookName']} is {record.get('status')} by another delivery") from None
    return token


def _release(hook: dict[str, Any], token: str, error: Exception) -> None:
    """Put a failed hook back to PENDING so a retried delivery can claim it, if the claim is still ours."""
    hooks = table(require_env("HOOKS_TABLE_NAME"))
    try:
        hooks.update_item(
            Key=_hook_key(hook),
            UpdateExpression="SET #status = :pending, lastError = :error REMOVE claimedAt",
            ConditionExpression="#status = :in_progress AND claimedAt = :token",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":pending": PENDING,
                ":in_progress": IN_PROGRESS,
                ":token": token,
                ":error": f"{type(error).__name__}: {error}"[:500],
            },
        )
    except hooks.meta.client.exceptions.ConditionalCheckFailedException:
        logger.warning("hook_claim_lost", error=str(error))


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Run the registered handler of the hook's action once, then record, audit and publish it."""
    action = event["action"]
    logger.append_keys(contract_id=event["contractId"], hook_name=event["hookName"], action=action["name"])
    raise_if_injected(event, "fulfil_action")
    handler = handler_for(action["name"])
    token = _claim(event, datetime.now(UTC))
    if token is None:
        logger.info("hook_already_fulfilled")
        return {"hookName": event["hookName"], "status": SKIPPED}
    try:
        result = handler(
            ActionContext(
                contract_id=event["contractId"],
                account_id=event["accountId"],
                name=action["name"],
                offset=action["offset"],
                other_data=action.get("otherData") or {},
                hook_name=event["hookName"],
            )
        )
    except Exception as exc:
        _release(event, token, exc)
        raise
    fulfilled_at = datetime.now(UTC).isoformat()
    _record(event, result, fulfilled_at)
    logger.info("action_fulfilled", offset=action["offset"])
    return {"hookName": event["hookName"], "status": FULFILLED, "fulfilledAt": fulfilled_at, "result": result}
