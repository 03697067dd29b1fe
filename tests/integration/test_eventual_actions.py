"""The eventual workflow: stream consumer, hooks in Scheduler, fast-forward and dead letters."""

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from common.naming import execution_name
from enrollctl import hooks
from enrollctl.report import audit_trail, profile, stream_events
from enrollctl.report import hooks as hook_records
from tests.integration.helpers import enroll, poll, sample

pytestmark = pytest.mark.integration


def _enroll(deployment: Any, name: str = "contract-offer") -> dict[str, Any]:
    """Enroll a sample contract and wait until its eventual workflow has succeeded."""
    return enroll(deployment, sample(name))


def _schedules_of(deployment: Any, contract_id: str) -> list[dict[str, Any]]:
    group = deployment.resources.eventual["ScheduleGroupName"]
    names = {record["hookName"] for record in hook_records(deployment.clients, deployment.resources, contract_id)}
    return [schedule for schedule in hooks.list_schedules(deployment.clients, group) if schedule["Name"] in names]


def _create_test_schedule(
    deployment: Any,
    name: str,
    target: dict[str, Any],
    *,
    expression: str = "at(2090-01-01T14:00:00)",
    zone: str = "UTC",
) -> None:
    """Create a schedule of the test's own in the hooks group, deleted after it fires."""
    deployment.clients.client("scheduler").create_schedule(
        Name=name,
        GroupName=deployment.resources.eventual["ScheduleGroupName"],
        ScheduleExpression=expression,
        ScheduleExpressionTimezone=zone,
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target=target,
    )


def test_offset_zero_fulfilled_and_hooks_scheduled(deployment: Any) -> None:
    contract = _enroll(deployment)

    records = poll(
        lambda: [
            r
            for r in hook_records(deployment.clients, deployment.resources, contract["contractId"])
            if int(r["offset"]) == 0 and r["status"] == "FULFILLED"
        ],
        description="the offset-0 action fulfilled",
    )
    assert [record["actionName"] for record in records] == ["action2"]

    schedules = _schedules_of(deployment, contract["contractId"])
    assert len(schedules) == 3
    fulfil_function = deployment.resources.eventual["FulfilFunctionName"]
    for schedule in schedules:
        assert schedule["ScheduleExpression"].startswith("at(")
        assert schedule["ScheduleExpressionTimezone"] == "UTC"
        assert schedule["ActionAfterCompletion"] == "DELETE"
        assert schedule["FlexibleTimeWindow"]["Mode"] == "OFF"
        assert len(schedule["Name"]) <= 64
        target = schedule["Target"]
        assert target["Arn"].endswith(f":function:{fulfil_function}")
        assert target["RetryPolicy"]["MaximumRetryAttempts"] == 3
        assert target["DeadLetterConfig"]["Arn"].startswith("arn:aws:sqs:")
        hook_input = json.loads(target["Input"])
        assert hook_input["contractId"] == contract["contractId"]
        assert hook_input["hookName"] == schedule["Name"]
    offsets = sorted(json.loads(s["Target"]["Input"])["action"]["offset"] for s in schedules)
    assert offsets == [1, 3, 16]


def test_fast_forward_fires_due_hooks_once(deployment: Any) -> None:
    contract = _enroll(deployment)
    group = deployment.resources.eventual["ScheduleGroupName"]

    def statuses() -> dict[int, str]:
        records = hook_records(deployment.clients, deployment.resources, contract["contractId"])
        return {int(record["offset"]): record["status"] for record in records}

    hooks.fast_forward(deployment.clients, group, 2)
    after_two_days = statuses()
    assert after_two_days[1] == "FULFILLED"
    assert after_two_days[3] == "PENDING"
    assert after_two_days[16] == "PENDING"

    # The offset-16 hook is due 16 days after the anchor day. The anchor is tomorrow for an
    # enrollment after 09:00 New York time, so 17 days cover the hook at any time of day.
    hooks.fast_forward(deployment.clients, group, 17)
    assert set(statuses().values()) == {"FULFILLED"}
    assert _schedules_of(deployment, contract["contractId"]) == []

    records = hook_records(deployment.clients, deployment.resources, contract["contractId"])
    names = {record["hookName"] for record in records}
    fired_again = hooks.fast_forward(deployment.clients, group, 17)
    assert [hook.name for hook in fired_again if hook.name in names] == []

    # A retried Schedule Hooks step must not bring back the schedules of fired hooks.
    eventual = [
        {
            "contractId": contract["contractId"],
            "accountId": contract["accountId"],
            "action": {"name": record["actionName"], "offset": int(record["offset"])},
            "hookName": record["hookName"],
            "scheduledFor": record["scheduledFor"],
            "scheduleExpression": record["scheduleExpression"],
        }
        for record in records
        if int(record["offset"]) > 0
    ]
    response = deployment.clients.client("lambda").invoke(
        FunctionName=deployment.resources.eventual["ScheduleHooksFunctionName"],
        Payload=json.dumps({"eventual": eventual}).encode(),
    )
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read())["created"] == 0
    assert _schedules_of(deployment, contract["contractId"]) == []


def test_replayed_stream_record_starts_nothing(deployment: Any) -> None:
    contract = _enroll(deployment)
    sfn = deployment.clients.client("stepfunctions")
    machine = deployment.resources.eventual["StateMachineArn"]

    confirmed = [
        event
        for event in stream_events(deployment.clients, deployment.resources, contract["contractId"])
        if event["eventType"] == "EnrollmentConfirmed"
    ]
    assert len(confirmed) == 1
    original = {key: value for key, value in confirmed[0].items() if key != "sequenceNumber"}
    name = execution_name(contract["contractId"], original["eventId"])

    def executions() -> list[str]:
        return [e["name"] for e in sfn.list_executions(stateMachineArn=machine)["executions"] if e["name"] == name]

    before = executions()
    # The very same record again, as a producer retry or a re-read shard would deliver it.
    deployment.clients.client("kinesis").put_record(
        StreamName=deployment.resources.immediate["StreamName"],
        PartitionKey=contract["accountId"],
        Data=json.dumps(original).encode(),
    )
    marker = sample("contract-upstream-list")
    assert deployment.submit(marker).status == 200
    poll(
        lambda: hook_records(deployment.clients, deployment.resources, marker["contractId"]),
        description="a later contract handled, so the replayed record was consumed",
    )

    assert executions() == before
    assert len(before) == 1


def test_poison_record_parked(deployment: Any) -> None:
    queue_url = deployment.resources.eventual["ParkedRecordsQueueUrl"].replace("localhost", "127.0.0.1")
    sqs = deployment.clients.client("sqs")
    garbage = f"not json {uuid.uuid4()}".encode()

    deployment.clients.client("kinesis").put_record(
        StreamName=deployment.resources.immediate["StreamName"], PartitionKey="poison", Data=garbage
    )

    def parked() -> list[dict[str, Any]]:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
        return [json.loads(m["Body"]) for m in messages]

    bodies = poll(parked, description="the poison record on the parked-records queue")
    assert any("not an enrollment event" in body["reason"] for body in bodies)
    contract = _enroll(deployment, "contract-upstream-list")
    assert hook_records(deployment.clients, deployment.resources, contract["contractId"])


def test_failing_hook_dead_lettered(deployment: Any) -> None:
    eventual = deployment.resources.eventual
    scheduler = deployment.clients.client("scheduler")
    template = _schedules_of(deployment, _enroll(deployment)["contractId"])[0]
    name = f"test-failing-{uuid.uuid4().hex[:8]}"
    bad_input = {**json.loads(template["Target"]["Input"]), "action": {"name": "notRegistered", "offset": 1}}
    _create_test_schedule(
        deployment,
        name,
        {**template["Target"], "Input": json.dumps({**bad_input, "hookName": name})},
        expression="at(2099-01-01T09:00:00)",
        zone="America/New_York",
    )

    schedule = scheduler.get_schedule(Name=name, GroupName=eventual["ScheduleGroupName"])

    fired = hooks.fire(deployment.clients, eventual["ScheduleGroupName"], schedule, hooks.due_instant(schedule))

    assert not fired.succeeded
    assert fired.attempts == 4
    assert fired.dead_lettered
    assert fired.deleted
    queue_url = eventual["HookDeadLetterQueueUrl"].replace("localhost", "127.0.0.1")
    messages = deployment.clients.client("sqs").receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=1
    )["Messages"]
    dead = [m for m in messages if json.loads(m["Body"])["hookName"] == name]
    assert len(dead) == 1
    assert dead[0]["MessageAttributes"]["RETRY_ATTEMPTS"]["StringValue"] == "3"


def test_parallel_fast_forwards_fulfil_once(deployment: Any) -> None:
    contracts = [_enroll(deployment) for _ in range(2)]
    group = deployment.resources.eventual["ScheduleGroupName"]

    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = list(pool.map(lambda _: hooks.fast_forward(deployment.clients, group, 400), range(3)))

    assert all(isinstance(run, list) for run in runs)
    for contract in contracts:
        trail = audit_trail(deployment.clients, deployment.resources, contract["contractId"])
        fulfilled = [record["hookName"] for record in trail if record["outcome"] == "ACTION_FULFILLED"]
        assert len(fulfilled) == len(contract["actions"])
        assert len(set(fulfilled)) == len(fulfilled)
        statuses = {r["status"] for r in hook_records(deployment.clients, deployment.resources, contract["contractId"])}
        assert statuses == {"FULFILLED"}


def test_fast_forward_beyond_one_listing(deployment: Any) -> None:
    eventual = deployment.resources.eventual
    template = _schedules_of(deployment, _enroll(deployment)["contractId"])[0]["Target"]
    tag = uuid.uuid4().hex[:6]
    names = [f"test-page-{tag}-{index:03d}" for index in range(105)]  # more than one listing of 100
    dynamodb = deployment.clients.client("dynamodb")
    for name in names:
        hook = {
            **json.loads(template["Input"]),
            "contractId": f"C-PAGE-{tag}",
            "hookName": name,
            "action": {"name": "action1", "offset": 1},
        }
        dynamodb.put_item(
            TableName=deployment.resources.immediate["HooksTableName"],
            Item={
                "contractId": {"S": hook["contractId"]},
                "hookName": {"S": name},
                "accountId": {"S": hook["accountId"]},
                "actionName": {"S": "action1"},
                "offset": {"N": "1"},
                "status": {"S": "PENDING"},
            },
        )
        _create_test_schedule(deployment, name, {**template, "Input": json.dumps(hook)})

    fired = hooks.fast_forward(deployment.clients, eventual["ScheduleGroupName"], 30000)

    fired_names = {hook.name for hook in fired if hook.succeeded}
    assert set(names) <= fired_names
    assert [s["Name"] for s in hooks.list_schedules(deployment.clients, eventual["ScheduleGroupName"])] == []


def test_unscheduled_hook_not_fulfilled(deployment: Any) -> None:
    tag = uuid.uuid4().hex[:8]
    forged: dict[str, Any] = {
        "contractId": f"C-FORGED-{tag}",
        "accountId": f"ACCT-FORGED-{tag}",
        "action": {"name": "rateChange", "offset": 3, "otherData": {"newRate": "0.99"}},
        "hookName": f"forged-{tag}",
        "scheduledFor": "2026-12-07T14:00:00+00:00",
    }

    response = deployment.clients.client("lambda").invoke(
        FunctionName=deployment.resources.eventual["FulfilFunctionName"], Payload=json.dumps(forged).encode()
    )

    assert response.get("FunctionError")
    assert "has no scheduled record" in response["Payload"].read().decode()
    assert profile(deployment.clients, deployment.resources, forged["accountId"]) is None
    assert hook_records(deployment.clients, deployment.resources, forged["contractId"]) == []


def test_unusable_schedule_skipped(deployment: Any) -> None:
    contract = _enroll(deployment)
    eventual = deployment.resources.eventual
    template = _schedules_of(deployment, contract["contractId"])[0]["Target"]
    name = f"test-recurring-{uuid.uuid4().hex[:8]}"
    _create_test_schedule(deployment, name, template, expression="rate(1 day)")

    results = hooks.fast_forward(deployment.clients, eventual["ScheduleGroupName"], 30)

    skipped = [hook for hook in results if hook.name == name]
    assert len(skipped) == 1
    assert skipped[0].skipped
    assert "not a one-time at() schedule" in (skipped[0].error or "")
    statuses = {r["status"] for r in hook_records(deployment.clients, deployment.resources, contract["contractId"])}
    assert statuses == {"FULFILLED"}
    deployment.clients.client("scheduler").delete_schedule(Name=name, GroupName=eventual["ScheduleGroupName"])
