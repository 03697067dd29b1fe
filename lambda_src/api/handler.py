"""POST /contracts: validate one contract and run the immediate workflow synchronously.

API Gateway calls this function through Lambda-proxy integration; it starts the Express state
machine with StartSyncExecution and maps the execution's output to the HTTP response.
"""

import json
import os
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ReadTimeoutError

from common.config import fault_injection_enabled, require_env
from common.errors import InvalidContractError
from common.faults import STEPS
from common.models import parse_contract
from common.observability import logger

# Step Functions limits execution input and state data to 256 KiB of UTF-8. The workflow carries
# the contract plus a copy of its actions, so the body and the serialized execution input are
# both capped well below that (escapes can make the input larger than the body).
MAX_BODY_BYTES = 64 * 1024
MAX_EXECUTION_INPUT_BYTES = 96 * 1024
FAULT_HEADER = "x-enrollment-fault-step"
# The workflow times out after 25 s and this function after 29 s (API Gateway's own limit).
SYNC_READ_TIMEOUT_SECONDS = 27


@cache
def _sfn() -> Any:
    # StartSyncExecution goes to the "sync-" host prefix on AWS; a local IP endpoint cannot
    # take a host prefix, so it is disabled only when an endpoint override is set.
    # One attempt only: a retried StartSyncExecution would run the enrollment a second time.
    config = Config(retries={"total_max_attempts": 1}, read_timeout=SYNC_READ_TIMEOUT_SECONDS)
    if os.environ.get("AWS_ENDPOINT_URL"):
        config = config.merge(Config(inject_host_prefix=False))
    return boto3.client("stepfunctions", config=config)


def _response(status: int, body: dict[str, Any], correlation_id: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "X-Correlation-Id": correlation_id},
        "body": json.dumps(body),
    }


def _error(status: int, message: str, correlation_id: str, **extra: Any) -> dict[str, Any]:
    return _response(status, {"error": message, "correlationId": correlation_id, **extra}, correlation_id)


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys; a contract must not be ambiguous.
    keys = [key for key, _ in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f"duplicate keys {duplicates}")
    return dict(pairs)


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
            name=correlation_id.removeprefix("corr-")[:80],
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
    return _response(int(output["httpStatus"]), output["body"], correlation_id)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Validate the request body, run the workflow and return its output as the HTTP response."""
    request_id = (event.get("requestContext") or {}).get("requestId") or str(uuid.uuid4())
    correlation_id = f"corr-{request_id}"
    logger.append_keys(correlation_id=correlation_id)

    raw_body = event.get("body") or ""
    if len(raw_body.encode()) > MAX_BODY_BYTES:
        return _error(413, f"request body is larger than {MAX_BODY_BYTES} bytes", correlation_id)
    try:
        payload = json.loads(raw_body, parse_float=Decimal, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as exc:
        logger.info("request_rejected", reason="invalid_json")
        return _error(
            400, f"request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", correlation_id
        )
    except (ValueError, RecursionError) as exc:
        logger.info("request_rejected", reason="invalid_json")
        message = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        return _error(400, f"request body is not valid JSON: {message}", correlation_id)

    errors: list[dict[str, str]] = []
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
        return _error(400, "invalid contract request", correlation_id, invalidFields=errors)

    logger.append_keys(contract_id=contract.contractId)
    execution_input = {
        "correlationId": correlation_id,
        "receivedAt": datetime.now(UTC).isoformat(),
        "contract": contract.model_dump(mode="json"),
        "faultStep": fault_step,
    }
    serialized = json.dumps(execution_input, ensure_ascii=False)
    if len(serialized.encode()) > MAX_EXECUTION_INPUT_BYTES:
        return _error(413, f"the contract is larger than {MAX_EXECUTION_INPUT_BYTES} bytes once parsed", correlation_id)
    return _run_workflow(serialized, correlation_id)
