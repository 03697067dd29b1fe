"""Kinesis consumer: start one eventual-actions execution per enrolled contract.

Each record is handled on its own and never makes the batch fail: a raising handler would be
retried forever and block the shard on the local emulator, which ignores batchItemFailures.
Records that cannot be handled are parked on an SQS queue, whose depth raises an alarm.
"""

import base64
import json
from typing import Any

from common.aws import client
from common.config import require_env
from common.naming import execution_name
from common.observability import logger

ENROLLMENT_CONFIRMED = "EnrollmentConfirmed"
ENROLLMENT_REVERSED = "EnrollmentReversed"


# SQS messages are at most 256 KiB; a larger record is parked by position only.
MAX_PARKED_DATA_CHARS = 200 * 1024


def _park(record: dict[str, Any], reason: str) -> None:
    kinesis = record.get("kinesis", {})
    data = kinesis.get("data")
    if isinstance(data, str) and len(data) > MAX_PARKED_DATA_CHARS:
        data = None
    body = {
        "reason": reason,
        "eventSourceARN": record.get("eventSourceARN"),
        "sequenceNumber": kinesis.get("sequenceNumber"),
        "partitionKey": kinesis.get("partitionKey"),
        "data": data,
    }
    try:
        client("sqs").send_message(QueueUrl=require_env("PARKED_RECORDS_QUEUE_URL"), MessageBody=json.dumps(body))
    except Exception:  # noqa: BLE001 - raising would block the shard; the log line keeps the position
        logger.exception("record_park_failed", reason=reason, sequence_number=kinesis.get("sequenceNumber"))
        return
    logger.error("record_parked", reason=reason, sequence_number=kinesis.get("sequenceNumber"))


def handle_record(record: dict[str, Any]) -> str:
    """Start the execution for one record; return what happened (started, duplicate, skipped, parked)."""
    try:
        event = json.loads(base64.b64decode(record["kinesis"]["data"]))
        event_type = event["eventType"]
        contract_id = event["contractId"]
        enrollment_id = event["eventId"] if event_type == ENROLLMENT_CONFIRMED else None
    except (KeyError, TypeError, ValueError) as exc:
        _park(record, f"record is not an enrollment event: {exc}")
        return "parked"

    if event_type == ENROLLMENT_REVERSED:
        # The execution started for the reversed attempt finds its enrollment not completed and
        # stops before it plans anything, so there is nothing to undo here.
        logger.info("enrollment_reversed", contract_id=contract_id, failed_step=event.get("failedStep"))
        return "skipped"
    if event_type != ENROLLMENT_CONFIRMED or not isinstance(enrollment_id, str):
        return "skipped"

    sfn = client("stepfunctions")
    try:
        response = sfn.start_execution(
            stateMachineArn=require_env("STATE_MACHINE_ARN"),
            name=execution_name(contract_id, enrollment_id),
            input=json.dumps({"event": event, "settlementChecks": 0}),
        )
    except sfn.exceptions.ExecutionAlreadyExists:
        logger.info("execution_already_started", contract_id=contract_id)
        return "duplicate"
    except Exception as exc:  # noqa: BLE001 - any failure parks the record instead of blocking the shard
        _park(record, f"could not start the eventual workflow: {exc}")
        return "parked"
    logger.info("execution_started", contract_id=contract_id, execution_arn=response["executionArn"])
    return "started"


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handle every record of the batch; report no failures so the shard keeps moving."""
    outcomes = [handle_record(record) for record in event.get("Records", [])]
    logger.info("batch_handled", records=len(outcomes), outcomes={o: outcomes.count(o) for o in set(outcomes)})
    return {"batchItemFailures": []}
