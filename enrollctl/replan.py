"""Run the eventual workflow of an enrolled contract again after it failed.

Resubmitting the contract only replays its stored response, so this is how an operator gets the
hooks of a contract whose Plan Actions, Fulfil or Schedule Hooks step failed. Every step is safe
to repeat: hooks are recorded only while pending, schedules that exist count as scheduled, and
fulfilment is idempotent per hook. The new execution gets the same input as the first one,
read back from the stream, without any local fault step.
"""

import json
from typing import Any

from enrollctl.aws import Clients
from enrollctl.report import (
    MAX_REPLANS,
    Attempt,
    Resources,
    attempt_name,
    enrollment_id_of,
    latest_attempt,
    request_record,
    stream_events,
)

FINISHED_BADLY = {"FAILED", "TIMED_OUT", "ABORTED"}


class ReplanError(RuntimeError):
    """Raised when a contract's eventual workflow cannot or need not run again."""


def _enrollment_event(clients: Clients, resources: Resources, contract_id: str, enrollment_id: str) -> dict[str, Any]:
    for event in stream_events(clients, resources, contract_id):
        if event.get("eventType") == "EnrollmentConfirmed" and event.get("eventId") == enrollment_id:
            return {key: value for key, value in event.items() if key != "sequenceNumber"}
    raise ReplanError(
        f"the enrollment event of contract {contract_id} is no longer on the stream (its retention is 7 days)"
    )


def replan(clients: Clients, resources: Resources, contract_id: str) -> Attempt:
    """Start the contract's eventual workflow again when its latest run failed; return the new attempt."""
    record = request_record(clients, resources, contract_id)
    if record is None or record.get("state") != "COMPLETED":
        raise ReplanError(f"contract {contract_id} has no completed enrollment, so there is nothing to plan")
    if json.loads(str(record["responseBody"])).get("status") != "ENROLLED":
        raise ReplanError(f"contract {contract_id} was not enrolled, so it has no actions to plan")
    enrollment_id = enrollment_id_of(record)
    latest = latest_attempt(clients, resources, contract_id, enrollment_id)
    if latest.status is not None and latest.status not in FINISHED_BADLY:
        raise ReplanError(f"the eventual workflow of {contract_id} is {latest.status}; only a failed run is replanned")
    if latest.status is not None and latest.number >= MAX_REPLANS:
        raise ReplanError(f"contract {contract_id} was replanned {MAX_REPLANS} times; look at why it keeps failing")
    event = {**_enrollment_event(clients, resources, contract_id, enrollment_id), "faultStep": None}
    number = 0 if latest.status is None else latest.number + 1
    name = attempt_name(contract_id, enrollment_id, number)
    clients.client("stepfunctions").start_execution(
        stateMachineArn=resources.eventual["StateMachineArn"],
        name=name,
        input=json.dumps({"event": event, "settlementChecks": 0}),
    )
    return Attempt(number, name, "RUNNING")
