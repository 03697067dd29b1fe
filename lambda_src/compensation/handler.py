"""Compensate Enrollment step: undo what a failed enrollment did, in reverse order.

The workflow state shows which steps completed: ``published`` (the enrollment event is on the
stream), ``payments`` (a plan was set up) and ``profile`` (the profile was set to ENROLLED).
Each undo is idempotent and conditional on this contract, so a retried compensation, or one
that runs after another contract has taken over the profile, changes nothing it should not.
A stream record cannot be deleted: a compensating EnrollmentReversed event follows it instead.
"""

import json
from datetime import UTC, datetime
from typing import Any

from common.aws import client
from common.config import require_env
from common.naming import immediate_execution_name
from common.observability import logger
from common.payments import configured_destination
from common.profile import restore

ENROLLMENT_REVERSED = "EnrollmentReversed"
# The failed step, keyed by the state field its Catch writes the error to.
FAILED_STEP_FIELDS = {
    "eligibilityError": "eligibility",
    "profileError": "profile",
    "paymentsError": "payments",
    "publishError": "publish",
    "auditError": "audit",
    "responseError": "record_response",
}
RULES_ENGINE_STEP = "eligibility"


def _failure(event: dict[str, Any]) -> tuple[str, str]:
    for field, step in FAILED_STEP_FIELDS.items():
        error = event.get(field)
        if isinstance(error, dict):
            return step, str(error.get("Error", "Unknown"))
    return "unknown", "Unknown"


def _publish_reversal(event: dict[str, Any], failed_step: str) -> str:
    contract = event["contract"]
    record = {
        "eventType": ENROLLMENT_REVERSED,
        "eventId": f"{immediate_execution_name(event['correlationId'])}-reversed",
        "correlationId": event["correlationId"],
        "contractId": contract["contractId"],
        "accountId": contract["accountId"],
        "reversedAt": datetime.now(UTC).isoformat(),
        "reversesSequenceNumber": event["published"]["sequenceNumber"],
        "failedStep": failed_step,
    }
    # Same partition key as the confirmation, so consumers read the reversal after it.
    result = client("kinesis").put_record(
        StreamName=require_env("STREAM_NAME"), PartitionKey=contract["accountId"], Data=json.dumps(record).encode()
    )
    return str(result["SequenceNumber"])


def _cancel_payments(event: dict[str, Any], failed_step: str) -> bool:
    contract = event["contract"]
    return configured_destination().cancel(
        contract_id=contract["contractId"],
        plan_id=event["payments"]["payment"]["planId"],
        reason=f"enrollment failed at step {failed_step}",
    )


def _restore_profile(event: dict[str, Any]) -> bool:
    contract = event["contract"]
    return restore(
        require_env("PROFILE_TABLE_NAME"),
        account_id=contract["accountId"],
        contract_id=contract["contractId"],
        previous=event["profile"].get("previous"),
    )


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Undo the completed steps in reverse order; return the HTTP status and message for the client."""
    contract = event["contract"]
    logger.append_keys(contract_id=contract["contractId"], correlation_id=event.get("correlationId"))
    failed_step, error_name = _failure(event)

    undone: list[str] = []
    if "published" in event:
        sequence_number = _publish_reversal(event, failed_step)
        undone.append("stream_event")
        logger.info("enrollment_event_reversed", reversal_sequence_number=sequence_number)
    # A step whose record this contract no longer owns, or that an earlier try already undid, is
    # listed as skipped. The account lock keeps another contract from taking a record over meanwhile.
    skipped: list[str] = []
    if "payments" in event:
        cancelled = _cancel_payments(event, failed_step)
        (undone if cancelled else skipped).append("payments")
    if "profile" in event:
        restored = _restore_profile(event)
        (undone if restored else skipped).append("profile")
    logger.info("enrollment_compensated", failed_step=failed_step, error=error_name, undone=undone, skipped=skipped)

    outcome = {"failedStep": failed_step, "error": error_name, "undone": undone, "skipped": skipped, "complete": True}
    if failed_step == RULES_ENGINE_STEP:
        return {
            **outcome,
            "httpStatus": 502,
            "reason": "RULES_ENGINE_UNAVAILABLE",
            "message": "the rules engine could not decide eligibility; nothing was enrolled, retry later",
        }
    return {
        **outcome,
        "httpStatus": 500,
        "reason": "ENROLLMENT_FAILED",
        "message": "enrollment failed and what it did was undone; quote the correlation id when you report it",
    }
