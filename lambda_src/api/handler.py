"""POST /contracts: validate one contract and run the immediate workflow synchronously.

API Gateway calls this function through Lambda-proxy integration. A valid request takes the
contract's lock in the requests table, then starts the Express state machine with
StartSyncExecution and maps the execution's output to the HTTP response. The workflow stores
its response on the lock's item, so a replay of the same request gets the same response without
a second enrollment, and releases the lock when it fails.
"""

import json
import os
import re
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ReadTimeoutError

from api.request_ledger import Busy, Claim, DifferentRequest, Replay, RequestLedger, request_fingerprint
from common.config import fault_injection_enabled, require_env
from common.errors import InvalidContractError
from common.faults import STEPS
from common.hook_store import is_cancelled
from common.http import correlation_id_of, json_response
from common.models import ContractRequest, parse_contract
from common.naming import immediate_execution_name
from common.observability import logger
from common.strict_json import reject_constant, reject_duplicate_keys

# Step Functions limits execution input and state data to 256 KiB of UTF-8. The workflow carries
# the contract plus a copy of its actions, so the body and the serialized execution input are
# both capped well below that (escapes can make the input larger than the body).
MAX_BODY_BYTES = 64 * 1024
MAX_EXECUTION_INPUT_BYTES = 96 * 1024
FAULT_HEADER = "x-enrollment-fault-step"
# Maximum depth of objects and arrays in a body. A contract needs 4 levels up to otherData, whose
# content adds its own, and much deeper bodies cannot be serialized for the workflow.
MAX_JSON_DEPTH = 8
# A gateway puts U+FFFD in place of bytes that are not UTF-8, so a body with it was damaged on
# its way. A lone surrogate cannot be encoded at all.
DAMAGED_TEXT = re.compile("[\ufffd\ud800-\udfff]")
# The workflow times out after 25 s and this function after 29 s (API Gateway's own limit).
SYNC_READ_TIMEOUT_SECONDS = 27
# A lock outlives any request that holds it (the function stops after 29 s), so only a crashed
# request's lock ever expires.
DEFAULT_LOCK_SECONDS = 60


@cache
def _sfn() -> Any:
    # StartSyncExecution goes to the "sync-" host prefix on AWS; a local IP endpoint cannot
    # take a host prefix, so it is disabled only when an endpoint override is set.
    # One attempt only: a retried StartSyncExecution would run the enrollment a second time.
    config = Config(retries={"total_max_attempts": 1}, read_timeout=SYNC_READ_TIMEOUT_SECONDS)
    if os.environ.get("AWS_ENDPOINT_URL"):
        config = config.merge(Config(inject_host_prefix=False))
    return boto3.client("stepfunctions", config=config)


def _ledger() -> RequestLedger:
    return RequestLedger(
        require_env("REQUESTS_TABLE_NAME"), lock_seconds=int(os.environ.get("LOCK_SECONDS", DEFAULT_LOCK_SECONDS))
    )


def _error(
    status: int, message: str, correlation_id: str, headers: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    return json_response(status, {"error": message, "correlationId": correlation_id, **extra}, correlation_id, headers)


def _check_structure(value: Any, depth: int = 1) -> None:
    """Raise ValueError for a body nested deeper than MAX_JSON_DEPTH or with damaged text."""
    if depth > MAX_JSON_DEPTH and isinstance(value, dict | list):
        raise ValueError(f"objects and arrays are nested more than {MAX_JSON_DEPTH} levels deep")
    if isinstance(value, str) and DAMAGED_TEXT.search(value):
        raise ValueError(
            "a string contains U+FFFD or a lone surrogate, a sign the body was not valid UTF-8: send valid UTF-8"
        )
    if isinstance(value, dict):
        for key, child in value.items():
            _check_structure(key, depth)
            _check_structure(child, depth + 1)
    elif isinstance(value, list):
        for child in value:
            _check_structure(child, depth + 1)


def _fault_step(headers: dict[str, str]) -> str | None:
    lowered = {key.lower(): value for key, value in headers.items()}
    step = lowered.get(FAULT_HEADER)
    if step is None:
        return None
    if not fault_injection_enabled():
        raise InvalidContractError(
            [{"field": f"header {FAULT_HEADER}", "message": "fault injection is disabled in this environment"}]
        )
    if step not in STEPS:
        raise InvalidContractError(
            [{"field": f"header {FAULT_HEADER}", "message": f"unknown step {step!r}; steps: {', '.join(STEPS)}"}]
        )
    return step


def _run_workflow(execution_input: str, correlation_id: str) -> dict[str, Any]:
    """Start the workflow synchronously and map its result to an HTTP response."""
    try:
        result = _sfn().start_sync_execution(
            stateMachineArn=require_env("STATE_MACHINE_ARN"),
            name=immediate_execution_name(correlation_id),
            input=execution_input,
        )
    except ReadTimeoutError:
        logger.error("workflow_timed_out", timeout_seconds=SYNC_READ_TIMEOUT_SECONDS)
        return _error(504, "enrollment timed out; quote the correlation id before you retry", correlation_id)
    logger.info("workflow_finished", execution_arn=result.get("executionArn"), status=result["status"])
    if result["status"] == "TIMED_OUT":
        logger.error("workflow_timed_out", execution_arn=result.get("executionArn"))
        return _error(504, "enrollment timed out; quote the correlation id before you retry", correlation_id)
    if result["status"] != "SUCCEEDED":
        # The cause can contain state data, so only the error name is logged.
        logger.error("workflow_failed", execution_arn=result.get("executionArn"), error=result.get("error"))
        return _error(500, "enrollment failed; quote the correlation id when you report it", correlation_id)

    output = json.loads(result["output"])
    return json_response(int(output["httpStatus"]), output["body"], correlation_id)


def _replay(stored: Replay, correlation_id: str) -> dict[str, Any]:
    logger.info("request_replayed", http_status=stored.http_status)
    return json_response(stored.http_status, stored.body, correlation_id, {"X-Idempotent-Replay": "true"})


def _answer_without_running(claim: Claim, correlation_id: str) -> dict[str, Any] | None:
    """Return the response for a request that must not run the workflow, or None when it may."""
    if isinstance(claim, Replay):
        return _replay(claim, correlation_id)
    if isinstance(claim, Busy):
        logger.info("request_rejected", reason="in_progress", account=claim.account, retry_after=claim.retry_after)
        holder = "a contract of this account" if claim.account else "this contract"
        return _error(
            409,
            f"another request for {holder} is in progress; retry after the Retry-After seconds",
            correlation_id,
            {"Retry-After": str(claim.retry_after)},
            reason="IN_PROGRESS",
        )
    if isinstance(claim, DifferentRequest):
        logger.info("request_rejected", reason="different_request")
        return _error(
            409,
            "this contract id was already processed with a different request body; send a new contract id",
            correlation_id,
            reason="DIFFERENT_REQUEST",
        )
    return None


class RequestRejected(Exception):
    """Raised while reading a request that gets a 4xx response before anything is written."""

    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__(response["statusCode"])
        self.response = response


def _decode_body(raw_body: str, correlation_id: str) -> Any:
    if len(raw_body.encode()) > MAX_BODY_BYTES:
        raise RequestRejected(_error(413, f"request body is larger than {MAX_BODY_BYTES} bytes", correlation_id))
    try:
        payload = json.loads(
            raw_body, parse_float=Decimal, parse_constant=reject_constant, object_pairs_hook=reject_duplicate_keys
        )
        _check_structure(payload)
        return payload
    except json.JSONDecodeError as exc:
        logger.info("request_rejected", reason="invalid_json")
        message = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    except (ValueError, RecursionError) as exc:
        logger.info("request_rejected", reason="invalid_json")
        message = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
    raise RequestRejected(_error(400, f"request body is not valid JSON: {message}", correlation_id))


def _check_content_type(headers: dict[str, str], correlation_id: str) -> None:
    lowered = {key.lower(): value for key, value in headers.items()}
    media_type = lowered.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        logger.info("request_rejected", reason="unsupported_media_type")
        raise RequestRejected(
            _error(415, f"Content-Type must be application/json, got {media_type or 'none'!r}", correlation_id)
        )


def _read_request(event: dict[str, Any], correlation_id: str) -> tuple[ContractRequest, str | None]:
    """Return the contract and the fault step of a request, or raise RequestRejected listing every problem."""
    _check_content_type(event.get("headers") or {}, correlation_id)
    payload = _decode_body(event.get("body") or "", correlation_id)
    errors: list[dict[str, str]] = []
    fault_step = None
    try:
        fault_step = _fault_step(event.get("headers") or {})
    except InvalidContractError as exc:
        errors.extend(exc.errors)
    try:
        contract = parse_contract(payload)
    except InvalidContractError as exc:
        errors[:0] = exc.errors
    if errors:
        logger.info("request_rejected", reason="invalid_contract", invalid_fields=[e["field"] for e in errors])
        raise RequestRejected(_error(400, "invalid contract request", correlation_id, invalidFields=errors))
    return contract, fault_step


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Validate the request, take the contract's lock, run the workflow and return its response."""
    correlation_id = correlation_id_of(event)
    logger.append_keys(correlation_id=correlation_id)
    try:
        contract, fault_step = _read_request(event, correlation_id)
    except RequestRejected as rejected:
        return rejected.response

    logger.append_keys(contract_id=contract.contractId)
    parsed = contract.model_dump(mode="json")
    execution_input = {
        "correlationId": correlation_id,
        "receivedAt": datetime.now(UTC).isoformat(),
        "contract": parsed,
        "faultStep": fault_step,
    }
    serialized = json.dumps(execution_input, ensure_ascii=False)
    if len(serialized.encode()) > MAX_EXECUTION_INPUT_BYTES:
        return _error(413, f"the contract is larger than {MAX_EXECUTION_INPUT_BYTES} bytes once parsed", correlation_id)

    fingerprint = request_fingerprint(parsed)
    if is_cancelled(require_env("HOOKS_TABLE_NAME"), contract.contractId):
        # A cancelled contract keeps its stored response, but may not enroll again.
        finished = _ledger().finished(contract_id=contract.contractId, fingerprint=fingerprint)
        if isinstance(finished, Replay):
            return _replay(finished, correlation_id)
        logger.info("request_rejected", reason="contract_cancelled")
        return _error(
            409,
            "this contract was cancelled and cannot be enrolled again; send a new contract id",
            correlation_id,
            reason="CANCELLED",
        )
    claim = _ledger().claim(
        contract_id=contract.contractId,
        account_id=contract.accountId,
        fingerprint=fingerprint,
        lock_token=correlation_id,
    )
    refusal = _answer_without_running(claim, correlation_id)
    if refusal is not None:
        return refusal
    return _run_workflow(serialized, correlation_id)
