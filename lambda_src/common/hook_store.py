"""Hook records in the hooks table: listing, cancellation, and writes guarded against cancellation.

Each record is one action of a contract (key ``contractId`` + ``hookName``). Its status is one of
PENDING (scheduled), IN_PROGRESS (a delivery claimed it), FULFILLED, FAILED (the last delivery
failed and a retry may still claim it) or CANCELLED. Statuses are stored and returned in upper
case.

Cancelling a contract first writes a marker item (``hookName`` CANCELLATION_MARKER). Schedule
Hooks and the fulfillment function check that the marker is absent in the same transaction as
their own write, so after the marker exists no hook is recorded and no action is claimed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from common.aws import table

PENDING = "PENDING"
IN_PROGRESS = "IN_PROGRESS"
FULFILLED = "FULFILLED"
# Status a delivery returns, never stores, for a hook that an earlier delivery fulfilled.
SKIPPED = "SKIPPED"
FAILED = "FAILED"
CANCELLED = "CANCELLED"
# Real hook names start with a letter, digit, '_', '.' or '-', so this key never names a hook.
CANCELLATION_MARKER = "#CANCELLED"


class WriteOutcome(Enum):
    """Result of a hook write guarded by the cancellation marker."""

    WRITTEN = "written"
    CONTRACT_CANCELLED = "contract_cancelled"
    CONDITION_FAILED = "condition_failed"


def write_unless_cancelled(table_name: str, contract_id: str, operation: str, request: dict[str, Any]) -> WriteOutcome:
    """Run one ``Put`` or ``Update`` of a hook record only while the contract has no cancellation marker.

    ``request`` contains the operation's parameters (``Item``, ``Key``, ``ConditionExpression``,
    ``UpdateExpression``, ``ExpressionAttributeNames``, ``ExpressionAttributeValues``) with plain
    Python values: the client of a boto3 Table resource adds the DynamoDB types itself.
    """
    if operation not in ("Put", "Update"):
        raise ValueError(f"operation must be 'Put' or 'Update', got {operation!r}")
    marker_check = {
        "ConditionCheck": {
            "TableName": table_name,
            "Key": {"contractId": contract_id, "hookName": CANCELLATION_MARKER},
            "ConditionExpression": "attribute_not_exists(hookName)",
        }
    }
    client = table(table_name).meta.client
    try:
        client.transact_write_items(TransactItems=[marker_check, {operation: {"TableName": table_name, **request}}])
    except client.exceptions.TransactionCanceledException as exc:
        reasons = [reason.get("Code") for reason in exc.response.get("CancellationReasons", [])]
        if reasons[:1] == ["ConditionalCheckFailed"]:
            return WriteOutcome.CONTRACT_CANCELLED
        if reasons[1:2] == ["ConditionalCheckFailed"]:
            return WriteOutcome.CONDITION_FAILED
        raise
    return WriteOutcome.WRITTEN


def is_cancelled(table_name: str, contract_id: str) -> bool:
    """Return True when ``contract_id`` has been cancelled (its marker item exists)."""
    key = {"contractId": contract_id, "hookName": CANCELLATION_MARKER}
    return "Item" in table(table_name).get_item(Key=key, ConsistentRead=True)


def _records(table_name: str, contract_id: str) -> list[dict[str, Any]]:
    """Return every item of ``contract_id`` in the hooks table, the marker included."""
    hooks = table(table_name)
    request: dict[str, Any] = {
        "KeyConditionExpression": "contractId = :id",
        "ExpressionAttributeValues": {":id": contract_id},
        "ConsistentRead": True,
    }
    items: list[dict[str, Any]] = []
    while True:
        page = hooks.query(**request)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def hook_view(record: dict[str, Any]) -> dict[str, Any]:
    """Describe one hook record as the API returns it."""
    view: dict[str, Any] = {
        "hookName": record["hookName"],
        "action": record.get("actionName"),
        "offset": int(record.get("offset", 0)),
        "scheduledFor": record.get("scheduledFor"),
        "status": record.get("status"),
    }
    for optional in ("fulfilledAt", "cancelledAt", "lastError"):
        if optional in record:
            view[optional] = record[optional]
    return view


@dataclass(frozen=True, kw_only=True)
class ContractHooks:
    """The hooks of one contract and when the contract was cancelled, if it was."""

    hooks: list[dict[str, Any]]
    cancelled_at: str | None


def list_hooks(table_name: str, contract_id: str) -> ContractHooks:
    """Return the hooks of ``contract_id``, ordered by offset then hook name."""
    records = _records(table_name, contract_id)
    marker = next((record for record in records if record["hookName"] == CANCELLATION_MARKER), None)
    views = [hook_view(record) for record in records if record["hookName"] != CANCELLATION_MARKER]
    views.sort(key=lambda view: (view["offset"], view["hookName"]))
    return ContractHooks(hooks=views, cancelled_at=str(marker["cancelledAt"]) if marker else None)


@dataclass(frozen=True, kw_only=True)
class Cancellation:
    """Outcome of one cancel request: whether it cancelled the contract, and which hooks it cancelled."""

    first_cancellation: bool
    cancelled_hooks: list[str]
    contract: ContractHooks


def cancel_contract(
    table_name: str, contract_id: str, *, now: str, delete_schedule: Callable[[str], None]
) -> Cancellation:
    """Cancel every PENDING hook of ``contract_id`` and delete its schedule.

    The marker is written first, so a hook being recorded at the same moment is either seen
    here or rejected by its own transaction. Each hook moves from PENDING to CANCELLED with a
    conditional update, so a hook that a delivery claimed first is left to finish. FULFILLED and
    FAILED hooks are left as they are, but the marker stops any retry of a FAILED one.
    ``delete_schedule`` must treat a schedule that no longer exists as deleted.
    """
    hooks = table(table_name)
    conditional_failed = hooks.meta.client.exceptions.ConditionalCheckFailedException
    try:
        hooks.put_item(
            Item={"contractId": contract_id, "hookName": CANCELLATION_MARKER, "status": CANCELLED, "cancelledAt": now},
            ConditionExpression="attribute_not_exists(hookName)",
        )
        first_cancellation = True
    except conditional_failed:
        first_cancellation = False

    cancelled: list[str] = []
    for record in _records(table_name, contract_id):
        if record["hookName"] == CANCELLATION_MARKER or record.get("status") != PENDING:
            continue
        try:
            hooks.update_item(
                Key={"contractId": contract_id, "hookName": record["hookName"]},
                UpdateExpression="SET #status = :cancelled, cancelledAt = :now",
                ConditionExpression="#status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":cancelled": CANCELLED, ":pending": PENDING, ":now": now},
            )
        except conditional_failed:
            continue
        delete_schedule(record["hookName"])
        cancelled.append(record["hookName"])
    return Cancellation(
        first_cancellation=first_cancellation,
        cancelled_hooks=cancelled,
        contract=list_hooks(table_name, contract_id),
    )
