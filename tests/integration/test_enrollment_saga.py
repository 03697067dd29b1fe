"""Production depth of the immediate workflow on the emulator: one test per status code, a
failure injected at each step and undone, the contract lock, replays, and the HTTP rules engine.

Every test checks the state of each table, the stream, the schedules and the mock PagerDuty,
not only the HTTP response.
"""

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from api.request_ledger import account_lock_key
from common.naming import execution_name, immediate_execution_name
from enrollctl import hooks
from enrollctl.report import audit_trail, payment, profile, request_record, stream_events
from enrollctl.report import hooks as hook_records
from tests.http_stub import ScriptedResponse, StubServer, running_stub
from tests.integration.helpers import poll, sample

pytestmark = pytest.mark.integration


IMMEDIATE_OUTCOMES = {"ENROLLED", "NOT_ELIGIBLE", "FAILED"}


@dataclass(frozen=True)
class ContractState:
    """What one contract left behind in every store the workflows write to."""

    profile: dict[str, Any] | None
    payment: dict[str, Any] | None
    # Outcomes the immediate workflow audits; the eventual workflow's own entries are left out.
    audit_outcomes: list[str]
    # Enrollment events only; fulfilled actions are counted apart.
    event_types: list[str]
    actions_fulfilled: int
    request: dict[str, Any] | None
    account_lock: dict[str, Any] | None
    hooks: list[dict[str, Any]]
    schedules: list[str]
    alerts: list[dict[str, Any]] = field(repr=False)


def _state(deployment: Any, contract: dict[str, Any]) -> ContractState:
    clients, resources = deployment.clients, deployment.resources
    contract_id = contract["contractId"]
    group = resources.eventual["ScheduleGroupName"]
    event_types = [event["eventType"] for event in stream_events(clients, resources, contract_id)]
    return ContractState(
        profile=profile(clients, resources, contract["accountId"]),
        payment=payment(clients, resources, contract_id),
        audit_outcomes=sorted(
            record["outcome"]
            for record in audit_trail(clients, resources, contract_id)
            if record["outcome"] in IMMEDIATE_OUTCOMES
        ),
        event_types=[event_type for event_type in event_types if event_type.startswith("Enrollment")],
        actions_fulfilled=event_types.count("ActionFulfilled"),
        request=request_record(clients, resources, contract_id),
        account_lock=request_record(clients, resources, account_lock_key(contract["accountId"])),
        hooks=hook_records(clients, resources, contract_id),
        schedules=[
            schedule["Name"]
            for schedule in hooks.list_schedules(clients, group)
            if schedule["Name"].startswith(f"{contract_id}-")
        ],
        alerts=[
            alert
            for alert in deployment.alerts()
            if alert["payload"].get("custom_details", {}).get("contractId") == contract_id
        ],
    )


def _eventual_status(deployment: Any, contract_id: str, correlation_id: str) -> str | None:
    """Status of the eventual execution started by one enrollment attempt's stream event."""
    sfn = deployment.clients.client("stepfunctions")
    machine_arn = deployment.resources.eventual["StateMachineArn"]
    name = execution_name(contract_id, immediate_execution_name(correlation_id))
    try:
        arn = f"{machine_arn.replace(':stateMachine:', ':execution:')}:{name}"
        return str(sfn.describe_execution(executionArn=arn)["status"])
    except sfn.exceptions.ExecutionDoesNotExist:
        return None


def _settled(deployment: Any, contract_id: str, correlation_id: str) -> str:
    def finished() -> str | None:
        status = _eventual_status(deployment, contract_id, correlation_id)
        return status if status not in (None, "RUNNING") else None

    return str(poll(finished, description=f"the eventual execution of {correlation_id}"))


def _put_lock(deployment: Any, key: str, *, expires_in: int) -> None:
    """Write the lock another request would hold on a contract id or account key, as the API writes it."""
    now = int(time.time())
    deployment.clients.client("dynamodb").put_item(
        TableName=deployment.resources.immediate["RequestsTableName"],
        Item={
            "contractId": {"S": key},
            "state": {"S": "IN_PROGRESS"},
            "requestHash": {"S": "0" * 64},
            "lockToken": {"S": "corr-held-by-another-request"},
            "lockedAt": {"N": str(now)},
            "expiresAt": {"N": str(now + expires_in)},
        },
    )


def _assert_nothing_written(state: ContractState) -> None:
    """Check that no table, stream, schedule or topic contains anything of the contract."""
    assert state.profile is None
    assert state.payment is None
    assert state.request is None
    assert state.account_lock is None
    assert state.audit_outcomes == []
    assert state.event_types == []
    assert state.hooks == []
    assert state.schedules == []
    assert state.alerts == []


# --- One row per response code -------------------------------------------------------------


def test_200_enrolled_stores_answer_for_replay(deployment: Any) -> None:
    contract = sample("contract-offer")

    response = deployment.submit(contract)

    assert response.status == 200, response.body
    assert response.body["status"] == "ENROLLED"
    state = _state(deployment, contract)
    assert state.request is not None
    assert state.request["state"] == "COMPLETED"
    assert "expiresAt" not in state.request
    assert json.loads(state.request["responseBody"]) == response.body
    assert state.account_lock is None, "the account lock is released"
    assert _settled(deployment, contract["contractId"], response.body["correlationId"]) == "SUCCEEDED"


def test_200_not_eligible_stored_too(deployment: Any) -> None:
    contract = sample("contract-not-eligible")

    first = deployment.submit(contract)
    second = deployment.submit(contract)

    assert first.status == second.status == 200
    assert first.body["status"] == "NOT_ELIGIBLE"
    assert second.body == first.body
    assert second.headers.get("X-Idempotent-Replay") == "true"
    state = _state(deployment, contract)
    assert state.audit_outcomes == ["NOT_ELIGIBLE"]
    assert state.event_types == []
    assert state.profile is None


def test_400_writes_nothing(deployment: Any) -> None:
    contract = sample("contract-offer")
    contract["contractDraft"]["currency"] = "usd"

    response = deployment.submit(contract)

    assert response.status == 400, response.body
    assert [error["field"] for error in response.body["invalidFields"]] == ["contractDraft.currency"]
    _assert_nothing_written(_state(deployment, contract))


def test_409_while_another_request_holds_the_lock(deployment: Any) -> None:
    contract = sample("contract-offer")
    _put_lock(deployment, contract["contractId"], expires_in=30)

    response = deployment.submit(contract)

    assert response.status == 409, response.body
    assert response.body["reason"] == "IN_PROGRESS"
    assert 1 <= int(response.headers["Retry-After"]) <= 5
    assert response.body["correlationId"] == response.headers["X-Correlation-Id"]
    state = _state(deployment, contract)
    assert state.request is not None
    assert state.request["lockToken"] == "corr-held-by-another-request"
    assert (state.profile, state.payment) == (None, None)
    assert state.audit_outcomes == state.event_types == []


def test_409_while_another_contract_of_the_account_runs(deployment: Any) -> None:
    contract = sample("contract-offer")
    _put_lock(deployment, account_lock_key(contract["accountId"]), expires_in=30)

    response = deployment.submit(contract)

    assert response.status == 409, response.body
    assert response.body["reason"] == "IN_PROGRESS"
    assert "a contract of this account" in response.body["error"]
    assert 1 <= int(response.headers["Retry-After"]) <= 5
    state = _state(deployment, contract)
    assert state.request is None
    assert (state.profile, state.payment) == (None, None)
    assert state.event_types == []


def test_concurrent_failures_of_one_account_leave_no_profile(deployment: Any) -> None:
    first = sample("contract-forced-failure")
    contracts = [{**first, "contractId": f"{first['contractId']}-{n}"} for n in range(3)]

    with ThreadPoolExecutor(max_workers=3) as pool:
        responses = list(pool.map(lambda c: deployment.submit(c, fault_step="audit"), contracts))

    statuses = sorted(response.status for response in responses)
    assert set(statuses) <= {500, 409}, statuses
    assert 500 in statuses
    assert profile(deployment.clients, deployment.resources, first["accountId"]) is None
    for contract, response in zip(contracts, responses, strict=True):
        if response.status == 500:
            failure = audit_trail(deployment.clients, deployment.resources, contract["contractId"])[0]
            assert json.loads(failure["compensation"])["skipped"] == []
    assert _state(deployment, contracts[0]).account_lock is None


def test_expired_lock_taken_over(deployment: Any) -> None:
    contract = sample("contract-offer")
    _put_lock(deployment, contract["contractId"], expires_in=-1)

    response = deployment.submit(contract)

    assert response.status == 200, response.body
    assert response.body["status"] == "ENROLLED"
    state = _state(deployment, contract)
    assert state.request is not None
    assert state.request["lockToken"] == response.body["correlationId"]


def test_409_same_contract_different_body(deployment: Any) -> None:
    contract = sample("contract-offer")
    assert deployment.submit(contract).status == 200
    before = _state(deployment, contract)

    changed = {**contract, "contractDraft": {**contract["contractDraft"], "monthlyPayment": "125.00"}}
    response = deployment.submit(changed)

    assert response.status == 409, response.body
    assert response.body["reason"] == "DIFFERENT_REQUEST"
    assert "Retry-After" not in response.headers
    after = _state(deployment, contract)
    assert after.payment == before.payment
    assert after.audit_outcomes == before.audit_outcomes == ["ENROLLED"]


def test_413_oversized_body_writes_nothing(deployment: Any) -> None:
    contract = sample("contract-offer")
    contract["contractInfo"]["note"] = "x" * (70 * 1024)

    response = deployment.submit(contract)

    assert response.status == 413, response.body
    _assert_nothing_written(_state(deployment, contract))


def test_500_failure_answers_with_correlation_id(deployment: Any) -> None:
    contract = sample("contract-forced-failure")

    response = deployment.submit(contract, fault_step="profile")

    assert response.status == 500, response.body
    assert response.body["reason"] == "ENROLLMENT_FAILED"
    assert response.body["correlationId"] == response.headers["X-Correlation-Id"]


# --- A failure injected at each step, then undone ------------------------------------------

# step -> (HTTP status, the steps compensation undoes in order, the stream events left behind)
FAULTS = [
    ("eligibility", 502, [], []),
    ("profile", 500, [], []),
    ("payments", 500, ["profile"], []),
    ("publish", 500, ["payments", "profile"], []),
    ("audit", 500, ["stream_event", "payments", "profile"], ["EnrollmentConfirmed", "EnrollmentReversed"]),
]


@pytest.mark.parametrize(("step", "status", "undone", "events"), FAULTS, ids=[row[0] for row in FAULTS])
def test_failure_at_each_step_is_undone(
    deployment: Any, step: str, status: int, undone: list[str], events: list[str]
) -> None:
    contract = sample("contract-forced-failure")

    response = deployment.submit(contract, fault_step=step)

    assert response.status == status, response.body
    correlation_id = response.body["correlationId"]
    alerts = poll(lambda: _state(deployment, contract).alerts, description=f"the alert for {correlation_id}")
    state = _state(deployment, contract)
    assert state.profile is None, "a profile the enrollment created is deleted again"
    assert state.payment is None or state.payment["status"] == "CANCELLED"
    assert (state.payment is not None) == ("payments" in undone)
    assert state.event_types == events
    assert state.audit_outcomes == ["FAILED"]
    failure = audit_trail(deployment.clients, deployment.resources, contract["contractId"])[0]
    assert failure["failedStep"] == step
    assert json.loads(failure["compensation"])["undone"] == undone
    assert state.request is None, "the lock is released"
    assert state.account_lock is None, "the account lock is released"
    if events:
        # The reversed attempt's eventual execution stops before it plans anything.
        assert _settled(deployment, contract["contractId"], correlation_id) == "SUCCEEDED"
    final = _state(deployment, contract)
    assert final.hooks == []
    assert final.schedules == []
    assert final.actions_fulfilled == 0
    assert len(alerts) == len(final.alerts) == 1
    assert alerts[0]["payload"]["custom_details"]["failedStep"] == step
    assert alerts[0]["payload"]["custom_details"]["compensated"] is True

    # The lock is free and nothing is left half done: the same request now enrolls.
    retry = deployment.submit(contract)
    assert retry.status == 200, retry.body
    assert retry.body["status"] == "ENROLLED"
    assert _settled(deployment, contract["contractId"], retry.body["correlationId"]) == "SUCCEEDED"
    expected_hooks = len(contract["actions"])
    assert len(_state(deployment, contract).hooks) == expected_hooks


def test_compensation_restores_an_existing_profile(deployment: Any) -> None:
    contract = sample("contract-forced-failure")
    earlier = {
        "status": "ENROLLED",
        "contractId": "C-EARLIER-1",
        "enrolledAt": "2026-01-02T10:00:00+00:00",
        "updatedAt": "2026-01-02T10:00:00+00:00",
    }
    deployment.clients.client("dynamodb").put_item(
        TableName=deployment.resources.immediate["ProfileTableName"],
        Item={
            "accountId": {"S": contract["accountId"]},
            "riskBand": {"S": "B"},
            **{name: {"S": value} for name, value in earlier.items()},
        },
    )

    response = deployment.submit(contract, fault_step="audit")

    assert response.status == 500, response.body
    restored = profile(deployment.clients, deployment.resources, contract["accountId"])
    assert restored is not None
    assert {name: restored.get(name) for name in earlier} == earlier
    assert "product" not in restored, "an attribute the earlier profile did not have is removed"
    assert restored["riskBand"] == "B", "attributes the enrollment never set are kept"


def test_cancelled_contract_cannot_enroll_again(deployment: Any) -> None:
    contract = sample("contract-forced-failure")
    assert deployment.submit(contract, fault_step="audit").status == 500
    assert deployment.cancel(contract["contractId"]).status == 200

    response = deployment.submit(contract)

    assert response.status == 409, response.body
    assert response.body["reason"] == "CANCELLED"
    state = _state(deployment, contract)
    assert state.request is None
    assert state.account_lock is None
    assert state.profile is None
    assert state.event_types == ["EnrollmentConfirmed", "EnrollmentReversed"], "only the failed attempt's events"


def test_cancel_accepted_while_enrollment_runs(deployment: Any) -> None:
    contract = sample("contract-offer")
    _put_lock(deployment, contract["contractId"], expires_in=30)

    response = deployment.cancel(contract["contractId"])

    assert response.status == 200, response.body
    assert response.body["cancelled"] is True
    assert response.body["hooks"] == []


@pytest.mark.parametrize(
    ("marker", "immediate_results"),
    [(True, []), (False, [{"hookName": "h-000-action2", "status": "CANCELLED"}])],
    ids=["marker-only", "offset-zero-cancelled"],
)
def test_schedule_hooks_reports_cancellation_without_hooks(
    deployment: Any, marker: bool, immediate_results: list[dict[str, str]]
) -> None:
    contract = sample("contract-offer")
    if marker:
        _put_lock(deployment, contract["contractId"], expires_in=30)
        assert deployment.cancel(contract["contractId"]).status == 200
    payload = {"eventual": [], "fulfilled": immediate_results, "contractId": contract["contractId"]}

    response = deployment.clients.client("lambda").invoke(
        FunctionName=deployment.resources.eventual["ScheduleHooksFunctionName"], Payload=json.dumps(payload).encode()
    )

    assert "FunctionError" not in response
    result = json.loads(response["Payload"].read())
    assert result["contractCancelled"] is True
    assert result["scheduled"] == 0
    assert result["immediateFulfilled"] == 0


def test_cancelled_enrolled_contract_still_replays(deployment: Any) -> None:
    contract = sample("contract-offer")
    first = deployment.submit(contract)
    assert first.status == 200, first.body
    _settled(deployment, contract["contractId"], first.body["correlationId"])
    assert deployment.cancel(contract["contractId"]).status == 200

    replay = deployment.submit(contract)

    assert replay.status == 200
    assert replay.body == first.body
    assert replay.headers.get("X-Idempotent-Replay") == "true"


# --- Replays and concurrency ---------------------------------------------------------------


def test_replay_returns_stored_answer_without_second_effects(deployment: Any) -> None:
    contract = sample("contract-offer")
    first = deployment.submit(contract)
    assert first.status == 200, first.body
    _settled(deployment, contract["contractId"], first.body["correlationId"])
    before = _state(deployment, contract)

    # Same contract, keys in another order and the upstream `List` spelling: the same request.
    reordered = {"List": contract["actions"], **{k: v for k, v in reversed(contract.items()) if k != "actions"}}
    replay = deployment.submit(reordered)

    assert replay.status == first.status
    assert replay.body == first.body
    assert replay.headers.get("X-Idempotent-Replay") == "true"
    assert replay.headers["X-Correlation-Id"] != first.body["correlationId"]
    after = _state(deployment, contract)
    assert after.profile == before.profile
    assert after.payment == before.payment
    assert after.event_types == before.event_types == ["EnrollmentConfirmed"]
    assert after.actions_fulfilled == before.actions_fulfilled
    assert after.audit_outcomes == before.audit_outcomes
    assert after.hooks == before.hooks
    assert after.schedules == before.schedules


def test_twenty_concurrent_requests_enroll_once(deployment: Any) -> None:
    contract = sample("contract-offer")

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda _: deployment.submit(contract), range(20)))

    statuses = sorted(response.status for response in responses)
    assert set(statuses) <= {200, 409}, statuses
    ran = [r for r in responses if r.status == 200 and r.headers.get("X-Idempotent-Replay") != "true"]
    assert len(ran) == 1, statuses
    for response in responses:
        if response.status == 409:
            assert response.body["reason"] == "IN_PROGRESS"
            assert int(response.headers["Retry-After"]) >= 1
        else:
            assert response.body == ran[0].body
    _settled(deployment, contract["contractId"], ran[0].body["correlationId"])
    state = _state(deployment, contract)
    assert state.audit_outcomes == ["ENROLLED"]
    assert state.event_types == ["EnrollmentConfirmed"]
    assert len(state.hooks) == len(contract["actions"])
    assert state.alerts == []


# --- The HTTP rules engine -----------------------------------------------------------------


@pytest.fixture(scope="module")
def rules_engine(deployment: Any) -> Iterator[StubServer]:
    """Switch the deployed eligibility function to HTTP mode against a stub rules engine, then back."""
    lambda_client = deployment.clients.client("lambda")
    name = deployment.resources.immediate["EligibilityFunctionName"]
    original = lambda_client.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    with running_stub("/v1/decisions") as server:
        server.fallback = ScriptedResponse(status=500)
        http_mode = {
            "RULES_ENGINE_MODE": "http",
            "RULES_ENGINE_URL": server.url,
            "RULES_ENGINE_TIMEOUT_SECONDS": "1",
            "RULES_ENGINE_MAX_ATTEMPTS": "3",
        }
        lambda_client.update_function_configuration(
            FunctionName=name, Environment={"Variables": {**original, **http_mode}}
        )
        try:
            yield server
        finally:
            lambda_client.update_function_configuration(FunctionName=name, Environment={"Variables": original})


DECISION = {"eligible": True, "reasons": [], "rulesetVersion": "rules-lab-7"}
UNAVAILABLE = [
    ("always 500", [ScriptedResponse(status=500, body={"error": "down"})] * 3, 3),
    (
        "slow then 503",
        [ScriptedResponse(body=DECISION, delay=1.5), ScriptedResponse(status=503), ScriptedResponse(status=503)],
        3,
    ),
    ("malformed body", [ScriptedResponse(body=b"<html>not json</html>")], 1),
    ("eligible as a string", [ScriptedResponse(body={**DECISION, "eligible": "true"})], 1),
    ("eligible missing", [ScriptedResponse(body={"reasons": [], "rulesetVersion": "rules-lab-7"})], 1),
    (
        "repeated key",
        [ScriptedResponse(body=b'{"eligible": false, "reasons": ["r"], "rulesetVersion": "v", "eligible": true}')],
        1,
    ),
    ("400 is not retried", [ScriptedResponse(status=400, body={"error": "bad request"})], 1),
    ("headers trickled past every deadline", [ScriptedResponse(trickle=True)], 1),
]


def test_http_rules_engine_decides(deployment: Any, rules_engine: StubServer) -> None:
    contract = sample("contract-offer")
    rules_engine.reset(ScriptedResponse(status=503), ScriptedResponse(body=DECISION))

    response = deployment.submit(contract)

    assert response.status == 200, response.body
    assert response.body["status"] == "ENROLLED"
    assert response.body["eligibility"]["rulesetVersion"] == "rules-lab-7"
    assert len(rules_engine.requests) == 2, "one retry after the 503"
    assert rules_engine.requests[0].json()["contract"]["contractId"] == contract["contractId"]


@pytest.mark.parametrize(("case", "replies", "attempts"), UNAVAILABLE, ids=[row[0] for row in UNAVAILABLE])
def test_http_rules_engine_unavailable_is_502(
    deployment: Any, rules_engine: StubServer, case: str, replies: list[ScriptedResponse], attempts: int
) -> None:
    contract = sample("contract-offer")
    rules_engine.reset(*replies)

    response = deployment.submit(contract)

    assert response.status == 502, response.body
    assert response.body["reason"] == "RULES_ENGINE_UNAVAILABLE"
    assert response.body["correlationId"] == response.headers["X-Correlation-Id"]
    assert len(rules_engine.requests) == attempts
    alerts = poll(lambda: _state(deployment, contract).alerts, description=f"the alert for {contract['contractId']}")
    state = _state(deployment, contract)
    assert len(alerts) == len(state.alerts) == 1
    assert (state.profile, state.payment, state.request) == (None, None, None)
    assert state.event_types == []
    assert state.audit_outcomes == ["FAILED"]
