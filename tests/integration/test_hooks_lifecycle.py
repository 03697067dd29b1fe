"""One contract's hooks from enrollment to cancellation: schedules, fast-forward, replay, cancel."""

import base64
import json
import re
import uuid
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from common.fire_time import at_expression, fire_at
from enrollctl import hooks
from enrollctl.report import audit_trail, profile, stream_events
from enrollctl.report import hooks as hook_records
from tests.integration.helpers import enroll, sample

pytestmark = pytest.mark.integration

BUSINESS_ZONE = "America/New_York"
HOOK_LOCAL_TIME = time(9, 0)
# Offsets 0, 0, 1, 30 and 365, plus a second action100 at offset 1: same name, same offset.
ACTIONS = [
    {"name": "action2", "offset": 0},
    {"name": "sendWelcomeLetter", "offset": 0},
    {"name": "action100", "offset": 1},
    {"name": "action100", "offset": 1},
    {"name": "rateChange", "offset": 30, "otherData": {"newRate": "0.035"}},
    {"name": "paymentReminder", "offset": 365},
]
SCHEDULE_NAME = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")


def _contract() -> dict[str, Any]:
    contract = sample("contract-offer")
    contract["actions"] = ACTIONS
    return contract


def _by_name(deployment: Any, contract_id: str) -> dict[str, dict[str, Any]]:
    return {
        record["hookName"]: record for record in hook_records(deployment.clients, deployment.resources, contract_id)
    }


def _fulfilled_audits(deployment: Any, contract_id: str) -> list[str]:
    trail = audit_trail(deployment.clients, deployment.resources, contract_id)
    return [record["hookName"] for record in trail if record["outcome"] == "ACTION_FULFILLED"]


def _fulfilled_events(deployment: Any, contract_id: str) -> list[str]:
    events = stream_events(deployment.clients, deployment.resources, contract_id)
    return [event["hookName"] for event in events if event["eventType"] == "ActionFulfilled"]


def _invoke_fulfil(deployment: Any, payload: str) -> tuple[dict[str, Any], str]:
    """Invoke the fulfillment function as Scheduler would, and return its result and log tail."""
    response = deployment.clients.client("lambda").invoke(
        FunctionName=deployment.resources.eventual["FulfilFunctionName"], Payload=payload.encode(), LogType="Tail"
    )
    body = response["Payload"].read().decode()
    assert "FunctionError" not in response, body
    log_tail = base64.b64decode(response.get("LogResult", "")).decode(errors="replace")
    return json.loads(body), log_tail


def _dead_letter_queue_arn(deployment: Any) -> str:
    queue_url = deployment.resources.eventual["HookDeadLetterQueueUrl"].replace("localhost", "127.0.0.1")
    attributes = deployment.clients.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def _enrollment_time(deployment: Any, contract_id: str) -> datetime:
    (enrollment,) = [
        event
        for event in stream_events(deployment.clients, deployment.resources, contract_id)
        if event["eventType"] == "EnrollmentConfirmed"
    ]
    return datetime.fromisoformat(enrollment["enrolledAt"])


def _enrolled_after_fire_time(deployment: Any, contract_id: str) -> bool:
    local = _enrollment_time(deployment, contract_id).astimezone(ZoneInfo(BUSINESS_ZONE))
    return local.time() > HOOK_LOCAL_TIME


def _check_schedules(deployment: Any, contract: dict[str, Any], records: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Check every schedule of ``contract`` field by field, and return them by hook name."""
    group = deployment.resources.eventual["ScheduleGroupName"]
    schedules = {s["Name"]: s for s in hooks.list_schedules(deployment.clients, group) if s["Name"] in records}
    enrolled_at = _enrollment_time(deployment, contract["contractId"])
    fulfil_function = deployment.resources.eventual["FulfilFunctionName"]
    dead_letter_arn = _dead_letter_queue_arn(deployment)

    assert sorted(int(records[name]["offset"]) for name in schedules) == [1, 1, 30, 365]
    for name, schedule in schedules.items():
        record = records[name]
        offset = int(record["offset"])
        due = fire_at(enrolled_at, offset, zone=BUSINESS_ZONE, local_time=HOOK_LOCAL_TIME)
        assert SCHEDULE_NAME.fullmatch(name), name
        assert schedule["ScheduleExpression"] == at_expression(due)
        assert schedule["ScheduleExpressionTimezone"] == "UTC"
        assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
        assert schedule["ActionAfterCompletion"] == "DELETE"
        target = schedule["Target"]
        assert target["Arn"].endswith(f":function:{fulfil_function}")
        assert target["DeadLetterConfig"] == {"Arn": dead_letter_arn}
        assert target["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 21600}
        target_input = json.loads(target["Input"])
        assert set(target_input) == {"contractId", "accountId", "action", "hookName", "scheduledFor"}
        assert target_input["contractId"] == contract["contractId"]
        assert target_input["accountId"] == contract["accountId"]
        assert target_input["hookName"] == name
        assert target_input["action"]["name"] == record["actionName"]
        assert target_input["action"]["offset"] == offset
        assert datetime.fromisoformat(target_input["scheduledFor"]) == due
    return schedules


def test_hooks_lifecycle(deployment: Any) -> None:
    contract = enroll(deployment, _contract())
    contract_id = contract["contractId"]
    clients, resources = deployment.clients, deployment.resources
    group = resources.eventual["ScheduleGroupName"]

    # Six records with six distinct names. The two action100 hooks differ only by position.
    records = _by_name(deployment, contract_id)
    assert len(records) == 6
    duplicates = [name for name, record in records.items() if record["actionName"] == "action100"]
    assert len(duplicates) == 2
    offset_zero = [name for name, record in records.items() if int(record["offset"]) == 0]
    assert {records[name]["status"] for name in offset_zero} == {"FULFILLED"}
    schedules = _check_schedules(deployment, contract, records)
    assert len(schedules) == 4
    by_offset = {int(records[name]["offset"]): name for name in schedules}

    # Fast-forward 30 days: exactly the offset-1 and offset-30 hooks of this contract fire, once
    # each. An enrollment after 09:00 New York time anchors on the next day, so its offset-30
    # hook is due 31 days from now.
    fast_forward_days = 31 if _enrolled_after_fire_time(deployment, contract_id) else 30
    fired = [hook for hook in hooks.fast_forward(clients, group, fast_forward_days) if hook.name in records]
    assert sorted(hook.name for hook in fired) == sorted([*duplicates, by_offset[30]])
    assert all(hook.succeeded and hook.attempts == 1 and hook.deleted for hook in fired)
    after = _by_name(deployment, contract_id)
    assert {name: record["status"] for name, record in after.items()} == {
        **dict.fromkeys(records, "FULFILLED"),
        by_offset[365]: "PENDING",
    }
    due_names = sorted([*offset_zero, *duplicates, by_offset[30]])
    assert sorted(_fulfilled_audits(deployment, contract_id)) == due_names
    assert sorted(_fulfilled_events(deployment, contract_id)) == due_names
    customer = profile(clients, resources, contract["accountId"])
    assert customer is not None
    assert customer["interestRate"] == "0.035"

    # A second fast-forward fires nothing more of this contract.
    again = [hook for hook in hooks.fast_forward(clients, group, fast_forward_days) if hook.name in records]
    assert again == []
    assert sorted(_fulfilled_audits(deployment, contract_id)) == due_names

    # Replay the rateChange delivery with the schedule's own input, after changing the rate by
    # hand: a second run would set it back to 0.035.
    clients.client("dynamodb").update_item(
        TableName=resources.immediate["ProfileTableName"],
        Key={"accountId": {"S": contract["accountId"]}},
        UpdateExpression="SET interestRate = :rate",
        ExpressionAttributeValues={":rate": {"S": "0.5"}},
    )
    replayed, log_tail = _invoke_fulfil(deployment, schedules[by_offset[30]]["Target"]["Input"])
    assert replayed["status"] == "FULFILLED"
    assert replayed["fulfilledAt"] == after[by_offset[30]]["fulfilledAt"]
    assert "hook_already_fulfilled" in log_tail
    customer = profile(clients, resources, contract["accountId"])
    assert customer is not None
    assert customer["interestRate"] == "0.5"

    # Replay an offset-0 delivery in the workflow's envelope, which adds faultStep. The hook name
    # is the same, so the same idempotency record returns the first result.
    zero = after[offset_zero[0]]
    envelope = {
        "contractId": contract_id,
        "accountId": contract["accountId"],
        "action": {"name": zero["actionName"], "offset": 0, "otherData": {}},
        "hookName": zero["hookName"],
        "scheduledFor": zero.get("scheduledFor"),
        "faultStep": None,
    }
    replayed_zero, zero_log_tail = _invoke_fulfil(deployment, json.dumps(envelope))
    assert replayed_zero["hookName"] == zero["hookName"]
    assert replayed_zero["fulfilledAt"] == zero["fulfilledAt"]
    assert "hook_already_fulfilled" in zero_log_tail
    assert sorted(_fulfilled_audits(deployment, contract_id)) == due_names
    assert sorted(_fulfilled_events(deployment, contract_id)) == due_names

    # The API lists every hook with action, offset, fire time and status.
    listed = deployment.contract_hooks(contract_id)
    assert listed.status == 200, listed.body
    assert listed.body["contractId"] == contract_id
    assert listed.body["cancelled"] is False
    assert {hook["hookName"]: hook["status"] for hook in listed.body["hooks"]} == {
        name: record["status"] for name, record in after.items()
    }
    assert [hook["offset"] for hook in listed.body["hooks"]] == [0, 0, 1, 1, 30, 365]
    for hook in listed.body["hooks"]:
        assert hook["action"] == after[hook["hookName"]]["actionName"]
        assert hook["scheduledFor"] == after[hook["hookName"]]["scheduledFor"]

    # Cancelling deletes the pending offset-365 hook and leaves the fulfilled ones alone.
    cancelled = deployment.cancel(contract_id)
    assert cancelled.status == 200, cancelled.body
    assert cancelled.body["cancelledHooks"] == [by_offset[365]]
    assert cancelled.body["cancelledNow"] == 1
    assert cancelled.body["statusCounts"] == {"CANCELLED": 1, "FULFILLED": 5}
    scheduler = clients.client("scheduler")
    with pytest.raises(scheduler.exceptions.ResourceNotFoundException):
        scheduler.get_schedule(Name=by_offset[365], GroupName=group)
    final = _by_name(deployment, contract_id)
    assert final[by_offset[365]]["status"] == "CANCELLED"
    assert "cancelledAt" in final[by_offset[365]]
    for name in due_names:
        assert final[name]["status"] == "FULFILLED"
        assert final[name]["fulfilledAt"] == after[name]["fulfilledAt"]
    trail = audit_trail(clients, resources, contract_id)
    cancellations = [record for record in trail if record["outcome"] == "CANCELLED"]
    assert len(cancellations) == 1
    assert cancellations[0]["cancelledHooks"] == [by_offset[365]]

    # A delivery of the cancelled hook (a schedule already in flight) runs nothing.
    refused, refused_log_tail = _invoke_fulfil(deployment, schedules[by_offset[365]]["Target"]["Input"])
    assert refused["status"] == "CANCELLED"
    assert "hook_cancelled_not_fulfilled" in refused_log_tail
    assert _by_name(deployment, contract_id)[by_offset[365]]["status"] == "CANCELLED"
    assert sorted(_fulfilled_audits(deployment, contract_id)) == due_names

    # Cancelling again is accepted and changes nothing.
    repeated = deployment.cancel(contract_id)
    assert repeated.status == 200, repeated.body
    assert repeated.body["cancelledNow"] == 0
    assert repeated.body["cancelledHooks"] == []
    trail = audit_trail(clients, resources, contract_id)
    assert len([record for record in trail if record["outcome"] == "CANCELLED"]) == 1
    listed = deployment.contract_hooks(contract_id)
    assert listed.body["cancelled"] is True
    assert {hook["status"] for hook in listed.body["hooks"]} == {"FULFILLED", "CANCELLED"}


def test_cancelled_contract_schedules_nothing(deployment: Any) -> None:
    contract = enroll(deployment, sample("contract-upstream-list"))
    contract_id = contract["contractId"]
    assert deployment.cancel(contract_id).status == 200
    late_hook = {
        "contractId": contract_id,
        "accountId": contract["accountId"],
        "action": {"name": "action1", "offset": 5},
        "hookName": f"late-{uuid.uuid4().hex[:8]}",
        "scheduledFor": "2027-01-05T14:00:00+00:00",
        "scheduleExpression": "at(2027-01-05T14:00:00)",
    }

    # A Schedule Hooks step that runs after the cancellation (a retry, a slow execution).
    response = deployment.clients.client("lambda").invoke(
        FunctionName=deployment.resources.eventual["ScheduleHooksFunctionName"],
        Payload=json.dumps({"eventual": [late_hook]}).encode(),
    )

    assert "FunctionError" not in response
    result = json.loads(response["Payload"].read())
    assert result["created"] == 0
    assert result["contractCancelled"] is True
    assert late_hook["hookName"] not in _by_name(deployment, contract_id)
    scheduler = deployment.clients.client("scheduler")
    with pytest.raises(scheduler.exceptions.ResourceNotFoundException):
        scheduler.get_schedule(Name=late_hook["hookName"], GroupName=deployment.resources.eventual["ScheduleGroupName"])


def test_hooks_api_rejects_bad_ids(deployment: Any) -> None:
    unknown = f"C-UNKNOWN-{uuid.uuid4().hex[:8]}"

    missing = deployment.contract_hooks(unknown)
    missing_cancel = deployment.cancel(unknown)
    invalid = deployment.contract_hooks("-starts-with-a-dash")
    too_long = deployment.cancel("C" * 65)

    assert missing.status == 404
    assert missing.body["error"] == f"contract {unknown} not found"
    assert missing_cancel.status == 404
    assert invalid.status == 400
    assert "invalid contract id" in invalid.body["error"]
    assert too_long.status == 400
    assert hook_records(deployment.clients, deployment.resources, unknown) == []
