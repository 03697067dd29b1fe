"""Read what the workflows wrote for one contract: profile, payments, audit, stream and hooks."""

import base64
import json
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from common.hook_store import CANCELLATION_MARKER
from common.naming import execution_name, immediate_execution_name
from enrollctl.aws import Clients

_DESERIALIZER = TypeDeserializer()


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _DESERIALIZER.deserialize(value) for key, value in item.items()}


@dataclass(frozen=True)
class Resources:
    """Names of the deployed resources, read from the stack outputs."""

    outputs: dict[str, dict[str, str]]

    @property
    def immediate(self) -> dict[str, str]:
        return self.outputs["ContractEnrollment-ImmediateWorkflow"]

    @property
    def eventual(self) -> dict[str, str]:
        return self.outputs["ContractEnrollment-EventualActions"]


def profile(clients: Clients, resources: Resources, account_id: str) -> dict[str, Any] | None:
    """Return the customer profile of ``account_id``, or None."""
    item = clients.client("dynamodb").get_item(
        TableName=resources.immediate["ProfileTableName"], Key={"accountId": {"S": account_id}}, ConsistentRead=True
    )
    return _plain(item["Item"]) if "Item" in item else None


def payment(clients: Clients, resources: Resources, contract_id: str) -> dict[str, Any] | None:
    """Return the payment plan of ``contract_id``, or None."""
    item = clients.client("dynamodb").get_item(
        TableName=resources.immediate["PaymentsTableName"], Key={"contractId": {"S": contract_id}}, ConsistentRead=True
    )
    return _plain(item["Item"]) if "Item" in item else None


def _query(clients: Clients, table: str, contract_id: str) -> list[dict[str, Any]]:
    response = clients.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="contractId = :id",
        ExpressionAttributeValues={":id": {"S": contract_id}},
        ConsistentRead=True,
    )
    return [_plain(item) for item in response.get("Items", [])]


def audit_trail(clients: Clients, resources: Resources, contract_id: str) -> list[dict[str, Any]]:
    """Return the audit records of ``contract_id`` in time order."""
    return _query(clients, resources.immediate["AuditTableName"], contract_id)


def hooks(clients: Clients, resources: Resources, contract_id: str) -> list[dict[str, Any]]:
    """Return every action record of ``contract_id`` (offset 0 and hooks), by offset.

    The cancellation marker of a cancelled contract is left out: it is not an action.
    """
    records = _query(clients, resources.immediate["HooksTableName"], contract_id)
    actions = [record for record in records if record["hookName"] != CANCELLATION_MARKER]
    return sorted(actions, key=lambda record: (int(record.get("offset", 0)), record["hookName"]))


def stream_events(clients: Clients, resources: Resources, contract_id: str) -> list[dict[str, Any]]:
    """Return the events of ``contract_id`` on the enrollment stream, oldest first."""
    kinesis = clients.client("kinesis")
    stream = resources.immediate["StreamName"]
    events: list[dict[str, Any]] = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
            for record in page["Records"]:
                data = record["Data"]
                raw = data if isinstance(data, bytes) else base64.b64decode(data)
                try:
                    event = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(event, dict) and event.get("contractId") == contract_id:
                    events.append({**event, "sequenceNumber": record["SequenceNumber"]})
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return events


def request_record(clients: Clients, resources: Resources, contract_id: str) -> dict[str, Any] | None:
    """Return the contract's item in the requests table: its lock, or the response it stored."""
    item = clients.client("dynamodb").get_item(
        TableName=resources.immediate["RequestsTableName"], Key={"contractId": {"S": contract_id}}, ConsistentRead=True
    )
    return _plain(item["Item"]) if "Item" in item else None


# Each contract's eventual workflow can be planned again this many times (`enrollctl replan`).
MAX_REPLANS = 9


@dataclass(frozen=True)
class Attempt:
    """One execution of a contract's eventual workflow; status None means it never started."""

    number: int
    name: str
    status: str | None


def attempt_name(contract_id: str, enrollment_id: str, number: int) -> str:
    """Name attempt ``number`` of an enrollment's eventual workflow.

    Attempt 0 is the stream consumer's, whose name a replayed record finds again.
    """
    return execution_name(contract_id, enrollment_id if number == 0 else f"{enrollment_id}#replan-{number}")


def latest_attempt(clients: Clients, resources: Resources, contract_id: str, enrollment_id: str) -> Attempt:
    """Return the newest execution of the enrollment's eventual workflow."""
    sfn = clients.client("stepfunctions")
    prefix = resources.eventual["StateMachineArn"].replace(":stateMachine:", ":execution:")
    latest = Attempt(0, attempt_name(contract_id, enrollment_id, 0), None)
    for number in range(MAX_REPLANS + 1):
        name = attempt_name(contract_id, enrollment_id, number)
        try:
            status = str(sfn.describe_execution(executionArn=f"{prefix}:{name}")["status"])
        except sfn.exceptions.ExecutionDoesNotExist:
            break
        latest = Attempt(number, name, status)
    return latest


def enrollment_id_of(record: dict[str, Any]) -> str:
    """Return the enrollment event id of a completed request: its lock token names the event."""
    return immediate_execution_name(str(record["lockToken"]))


def eventual_execution_status(clients: Clients, resources: Resources, contract_id: str) -> str | None:
    """Return the status of the newest eventual-workflow execution of the contract's completed enrollment.

    None when the contract has no completed enrollment or its execution never started.
    """
    record = request_record(clients, resources, contract_id)
    if record is None or record.get("state") != "COMPLETED":
        return None
    return latest_attempt(clients, resources, contract_id, enrollment_id_of(record)).status
