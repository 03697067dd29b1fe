"""Fulfil an action: called by the workflow for offset 0 and by Scheduler when a hook comes due.

Two guards make a hook run once. Powertools idempotency, keyed on the hook name in its own
table, returns the first result to a repeated delivery and rejects a concurrent one while the
first is in progress. The claim on the hook record (PENDING or FAILED to IN_PROGRESS to
FULFILLED) duplicates that in-progress check. It stays for what idempotency cannot do. It
rejects hooks that were never scheduled, excludes a concurrent cancellation, and keeps a hook
fulfilled after its idempotency record has expired.
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from common.actions import ActionContext, handler_for
from common.aws import client, table
from common.config import require_env
from common.faults import raise_if_injected
from common.hook_store import (
    CANCELLED,
    FAILED,
    FULFILLED,
    IN_PROGRESS,
    PENDING,
    SKIPPED,
    WriteOutcome,
    write_unless_cancelled,
)
from common.observability import logger

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


def _claim(hook: dict[str, Any], now: datetime) -> str:
    """Mark the hook IN_PROGRESS and return the claim token, or the status that makes it final.

    Returns FULFILLED when an earlier delivery fulfilled it and CANCELLED when it or its contract
    was cancelled. The conditional update makes concurrent deliveries of one hook race for one
    claim, and makes a delivery and a cancellation exclude each other. A claim older than
    CLAIM_TIMEOUT belongs to a delivery that died and may be taken over, and a FAILED hook may be
    claimed by a retry. A hook with an offset above 0 must have the record that Schedule Hooks
    wrote, for the same account and action. Offset-0 actions come from the workflow and have no
    record yet.
    """
    action = hook["action"]
    claimable = "#status IN (:pending, :failed) OR (#status = :in_progress AND claimedAt < :stale)"
    if action["offset"] == 0:
        condition = f"attribute_not_exists(hookName) OR {claimable}"
    else:
        condition = f"accountId = :account AND actionName = :name AND ({claimable})"
    token = now.isoformat()
    outcome = write_unless_cancelled(
        require_env("HOOKS_TABLE_NAME"),
        hook["contractId"],
        "Update",
        {
            "Key": _hook_key(hook),
            "UpdateExpression": "SET #status = :in_progress, claimedAt = :now",
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {
                ":in_progress": IN_PROGRESS,
                ":pending": PENDING,
                ":failed": FAILED,
                ":now": token,
                ":stale": (now - CLAIM_TIMEOUT).isoformat(),
                **({} if action["offset"] == 0 else {":account": hook["accountId"], ":name": action["name"]}),
            },
        },
    )
    if outcome is WriteOutcome.WRITTEN:
        return token
    if outcome is WriteOutcome.CONTRACT_CANCELLED:
        return CANCELLED
    record = table(require_env("HOOKS_TABLE_NAME")).get_item(Key=_hook_key(hook), ConsistentRead=True).get("Item")
    if record is None or (action["offset"] > 0 and record.get("actionName") != action["name"]):
        raise HookNotScheduledError(f"hook {hook['hookName']} has no scheduled record for this action")
    if record.get("status") in (FULFILLED, CANCELLED):
        return str(record["status"])
    raise HookBusyError(f"hook {hook['hookName']} is {record.get('status')} by another delivery")


def _release(hook: dict[str, Any], token: str, error: Exception) -> None:
    """Mark a failed hook FAILED, which a retried delivery can claim, if the claim is still ours."""
    hooks = table(require_env("HOOKS_TABLE_NAME"))
    try:
        hooks.update_item(
            Key=_hook_key(hook),
            UpdateExpression=(
                "SET #status = :failed, lastError = :error, actionName = :name, #offset = :offset,"
                " scheduledFor = :scheduled REMOVE claimedAt"
            ),
            ConditionExpression="#status = :in_progress AND claimedAt = :token",
            ExpressionAttributeNames={"#status": "status", "#offset": "offset"},
            ExpressionAttributeValues={
                ":failed": FAILED,
                ":in_progress": IN_PROGRESS,
                ":token": token,
                # Only the error's type: its message can name roles, accounts or data, and the
                # hooks API returns this field. The message is in the function's log.
                ":error": type(error).__name__,
                ":name": hook["action"]["name"],
                ":offset": hook["action"]["offset"],
                ":scheduled": hook["scheduledFor"],
            },
        )
    except hooks.meta.client.exceptions.ConditionalCheckFailedException:
        logger.warning("hook_claim_lost", error=str(error))


def _log_replay(response: Any, idempotent_data: DataRecord) -> Any:
    """Log a delivery whose result came from the idempotency record, so nothing ran."""
    stored = response if isinstance(response, dict) else {}
    # A cancelled hook's first delivery stored status CANCELLED, which is not a fulfilment.
    event = "hook_already_fulfilled" if stored.get("status") in (FULFILLED, SKIPPED) else "hook_already_handled"
    logger.info(
        event,
        hook_name=stored.get("hookName"),
        stored_status=stored.get("status"),
        source="idempotency_record",
        record_status=idempotent_data.status,
    )
    return response


# Deliveries of one hook share its name, whatever else their envelopes carry (the workflow's
# Map adds faultStep). The validation fields reject a forged event that reuses a hook name. A
# record covers Scheduler's and Lambda's retries (at most 6 hours each). After it expires, the
# FULFILLED hook record still stops a second run.
IDEMPOTENCY = IdempotencyConfig(
    event_key_jmespath="hookName",
    payload_validation_jmespath="[contractId, accountId, action.name, action.offset]",
    raise_on_no_idempotency_key=True,
    expires_after_seconds=24 * 60 * 60,
    response_hook=_log_replay,
)


@cache
def _fulfil_once() -> Callable[..., dict[str, Any]]:
    persistence = DynamoDBPersistenceLayer(table_name=require_env("IDEMPOTENCY_TABLE_NAME"))
    decorate = idempotent_function(data_keyword_argument="hook", config=IDEMPOTENCY, persistence_store=persistence)
    fulfil: Callable[..., dict[str, Any]] = decorate(_fulfil)
    return fulfil


def _fulfil(hook: dict[str, Any]) -> dict[str, Any]:
    """Claim the hook, run its action's handler, then record, audit and publish the result."""
    action = hook["action"]
    handler = handler_for(action["name"])
    token = _claim(hook, datetime.now(UTC))
    if token == FULFILLED:
        logger.info("hook_already_fulfilled", source="hook_record")
        return {"hookName": hook["hookName"], "status": SKIPPED}
    if token == CANCELLED:
        logger.info("hook_cancelled_not_fulfilled")
        return {"hookName": hook["hookName"], "status": CANCELLED}
    try:
        result = handler(
            ActionContext(
                contract_id=hook["contractId"],
                account_id=hook["accountId"],
                name=action["name"],
                offset=action["offset"],
                other_data=action.get("otherData") or {},
                hook_name=hook["hookName"],
            )
        )
    except Exception as exc:
        _release(hook, token, exc)
        raise
    fulfilled_at = datetime.now(UTC).isoformat()
    _record(hook, result, fulfilled_at)
    logger.info("action_fulfilled", offset=action["offset"])
    return {"hookName": hook["hookName"], "status": FULFILLED, "fulfilledAt": fulfilled_at, "result": result}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Fulfil the hook in ``event`` once: a repeated delivery returns the first result and runs nothing."""
    logger.append_keys(contract_id=event["contractId"], hook_name=event["hookName"], action=event["action"]["name"])
    raise_if_injected(event, "fulfil_action")
    IDEMPOTENCY.register_lambda_context(context)
    return _fulfil_once()(hook=event)
