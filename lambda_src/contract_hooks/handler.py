"""GET /contracts/{contractId}/hooks lists a contract's hooks, and DELETE /contracts/{contractId} cancels them.

API Gateway calls this function through Lambda-proxy integration for both routes. Hook statuses
are returned in upper case, as stored: PENDING, IN_PROGRESS, FULFILLED, FAILED or CANCELLED.
"""

import contextlib
import re
import urllib.parse
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from common.aws import client, table
from common.config import require_env
from common.hook_store import ContractHooks, cancel_contract, list_hooks
from common.http import correlation_id_of, json_response
from common.models import IDENTIFIER_PATTERN
from common.observability import logger

_CONTRACT_PATH = re.compile(r"/contracts/([^/]+)")


def _contract_id(event: dict[str, Any]) -> str | None:
    """Return the contract id of the request path, or None when the path has none."""
    contract_id = (event.get("pathParameters") or {}).get("contractId")
    if contract_id is None:
        match = _CONTRACT_PATH.search(event.get("path") or "")
        contract_id = urllib.parse.unquote(match.group(1)) if match else None
    return contract_id


def _has_audit_record(contract_id: str) -> bool:
    page = table(require_env("AUDIT_TABLE_NAME")).query(
        KeyConditionExpression="contractId = :id",
        ExpressionAttributeValues={":id": contract_id},
        Limit=1,
    )
    return bool(page.get("Items"))


def _has_request(contract_id: str) -> bool:
    # A running enrollment has its lock item here before it writes any hook or audit record.
    item = table(require_env("REQUESTS_TABLE_NAME")).get_item(Key={"contractId": contract_id}, ConsistentRead=True)
    return "Item" in item


def _known(contract_id: str, contract: ContractHooks) -> bool:
    return (
        bool(contract.hooks)
        or contract.cancelled_at is not None
        or _has_audit_record(contract_id)
        or _has_request(contract_id)
    )


def _hooks_body(contract_id: str, contract: ContractHooks) -> dict[str, Any]:
    body: dict[str, Any] = {"contractId": contract_id, "cancelled": contract.cancelled_at is not None}
    if contract.cancelled_at is not None:
        body["cancelledAt"] = contract.cancelled_at
    body["hooks"] = contract.hooks
    return body


def _delete_schedule(hook_name: str) -> None:
    scheduler = client("scheduler")
    # A schedule that fired (and deleted itself) or was never created is already gone.
    with contextlib.suppress(scheduler.exceptions.ResourceNotFoundException):
        scheduler.delete_schedule(Name=hook_name, GroupName=require_env("SCHEDULE_GROUP_NAME"))


def _audit_cancellation(contract_id: str, cancelled_at: str, cancelled_hooks: list[str]) -> None:
    table(require_env("AUDIT_TABLE_NAME")).put_item(
        Item={
            "contractId": contract_id,
            "auditId": f"{cancelled_at}#CANCELLED",
            "outcome": "CANCELLED",
            "cancelledHooks": cancelled_hooks,
        }
    )


def _not_found(contract_id: str, correlation_id: str) -> dict[str, Any]:
    body = {"error": f"contract {contract_id} not found", "contractId": contract_id, "correlationId": correlation_id}
    return json_response(404, body, correlation_id)


def list_contract_hooks(contract_id: str, correlation_id: str) -> dict[str, Any]:
    """Return the hooks of ``contract_id`` as an HTTP response (404 for an unknown contract)."""
    contract = list_hooks(require_env("HOOKS_TABLE_NAME"), contract_id)
    if not _known(contract_id, contract):
        return _not_found(contract_id, correlation_id)
    return json_response(200, _hooks_body(contract_id, contract), correlation_id)


def cancel_contract_hooks(contract_id: str, correlation_id: str) -> dict[str, Any]:
    """Cancel the pending hooks of ``contract_id`` and audit it. A repeated request cancels nothing more."""
    hooks_table = require_env("HOOKS_TABLE_NAME")
    if not _known(contract_id, list_hooks(hooks_table, contract_id)):
        return _not_found(contract_id, correlation_id)
    now = datetime.now(UTC).isoformat()
    cancellation = cancel_contract(hooks_table, contract_id, now=now, delete_schedule=_delete_schedule)
    if cancellation.first_cancellation or cancellation.cancelled_hooks:
        _audit_cancellation(contract_id, now, cancellation.cancelled_hooks)
    counts = Counter(str(hook["status"]) for hook in cancellation.contract.hooks)
    logger.info(
        "contract_cancelled",
        first_cancellation=cancellation.first_cancellation,
        cancelled_hooks=cancellation.cancelled_hooks,
        statuses=dict(counts),
    )
    body = {
        **_hooks_body(contract_id, cancellation.contract),
        "cancelledNow": len(cancellation.cancelled_hooks),
        "cancelledHooks": cancellation.cancelled_hooks,
        "statusCounts": dict(sorted(counts.items())),
    }
    return json_response(200, body, correlation_id)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Route GET (list hooks) and DELETE (cancel the contract) requests by HTTP method."""
    correlation_id = correlation_id_of(event)
    logger.append_keys(correlation_id=correlation_id)

    contract_id = _contract_id(event)
    if contract_id is None or not re.fullmatch(IDENTIFIER_PATTERN, contract_id):
        logger.info("request_rejected", reason="invalid_contract_id")
        message = (
            "invalid contract id: use 1 to 64 characters of letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
        return json_response(400, {"error": message, "correlationId": correlation_id}, correlation_id)
    logger.append_keys(contract_id=contract_id)

    method = event.get("httpMethod")
    if method == "GET":
        return list_contract_hooks(contract_id, correlation_id)
    if method == "DELETE":
        return cancel_contract_hooks(contract_id, correlation_id)
    logger.info("request_rejected", reason="method_not_allowed", method=method)
    body = {"error": f"method {method} is not allowed", "correlationId": correlation_id}
    return json_response(405, body, correlation_id)
