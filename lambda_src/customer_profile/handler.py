"""Enroll Customer Profile step: set the customer's profile status to ENROLLED."""

from datetime import UTC, datetime
from typing import Any

from common.aws import table
from common.config import require_env
from common.faults import raise_if_injected
from common.observability import logger
from common.profile import enrollment_snapshot

ENROLLED = "ENROLLED"


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Mark the account ENROLLED for this contract; return what it replaced, for compensation."""
    contract = event["contract"]
    logger.append_keys(contract_id=contract["contractId"], correlation_id=event.get("correlationId"))
    raise_if_injected(event, "profile")
    enrolled_at = datetime.now(UTC).isoformat()
    result = table(require_env("PROFILE_TABLE_NAME")).update_item(
        Key={"accountId": contract["accountId"]},
        UpdateExpression=(
            "SET #status = :enrolled, contractId = :contract, enrolledAt = :now, product = :product, updatedAt = :now"
        ),
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={
            ":enrolled": ENROLLED,
            ":contract": contract["contractId"],
            ":now": enrolled_at,
            ":product": contract["contractInfo"]["product"],
        },
        ReturnValues="ALL_OLD",
    )
    # None means the profile did not exist before this step, so compensation deletes it.
    previous = enrollment_snapshot(result.get("Attributes"))
    previous_status = previous.get("status", "NONE") if previous else "NONE"
    logger.info("profile_enrolled", previous_status=previous_status)
    return {"status": ENROLLED, "previousStatus": previous_status, "previous": previous, "enrolledAt": enrolled_at}
