"""The immediate workflow through the deployed, signed API on the emulator."""

import json
from typing import Any

import pytest

from enrollctl.report import audit_trail, payment, profile, stream_events
from tests.integration.helpers import poll, sample

pytestmark = pytest.mark.integration


def _nothing_written(deployment: Any, contract_id: str, account_id: str) -> None:
    clients, resources = deployment.clients, deployment.resources
    assert profile(clients, resources, account_id) is None
    assert payment(clients, resources, contract_id) is None
    assert audit_trail(clients, resources, contract_id) == []
    assert stream_events(clients, resources, contract_id) == []


def test_eligible_contract_enrolled(deployment: Any) -> None:
    contract = sample("contract-offer")

    response = deployment.submit(contract)

    assert response.status == 200, response.body
    assert response.body["status"] == "ENROLLED"
    assert response.body["correlationId"] == response.headers["X-Correlation-Id"]
    assert response.body["eligibility"]["rulesetVersion"]
    clients, resources = deployment.clients, deployment.resources
    customer = profile(clients, resources, contract["accountId"])
    assert customer is not None
    assert customer["status"] == "ENROLLED"
    assert customer["contractId"] == contract["contractId"]
    plan = payment(clients, resources, contract["contractId"])
    assert plan is not None
    assert plan["monthlyPayment"] == "120.00"
    assert plan["status"] == "ACTIVE"
    events = stream_events(clients, resources, contract["contractId"])
    confirmed = [event for event in events if event["eventType"] == "EnrollmentConfirmed"]
    assert len(confirmed) == 1
    assert confirmed[0]["accountId"] == contract["accountId"]
    assert [action["name"] for action in confirmed[0]["actions"]] == [a["name"] for a in contract["actions"]]
    outcomes = [record["outcome"] for record in audit_trail(clients, resources, contract["contractId"])]
    assert "ENROLLED" in outcomes


def test_upstream_list_shape_enrolled(deployment: Any) -> None:
    contract = sample("contract-upstream-list")
    assert "List" in contract

    response = deployment.submit(contract)

    assert response.status == 200, response.body
    assert response.body["status"] == "ENROLLED"


def test_ineligible_contract_not_enrolled(deployment: Any) -> None:
    contract = sample("contract-not-eligible")

    response = deployment.submit(contract)

    assert response.status == 200, response.body
    assert response.body["status"] == "NOT_ELIGIBLE"
    assert "the product is not offered for enrollment" in response.body["reasons"]
    clients, resources = deployment.clients, deployment.resources
    assert profile(clients, resources, contract["accountId"]) is None
    assert payment(clients, resources, contract["contractId"]) is None
    assert stream_events(clients, resources, contract["contractId"]) == []
    outcomes = [record["outcome"] for record in audit_trail(clients, resources, contract["contractId"])]
    assert outcomes == ["NOT_ELIGIBLE"]


def _without(contract: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in contract.items() if k != key}


def _with_action(contract: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**contract, "actions": [{**contract["actions"][0], **changes}, *contract["actions"][1:]]}


BAD_REQUESTS = [
    ("invalid JSON", lambda c: b'{"contractId": ', "body"),
    ("missing contractId", lambda c: _without(c, "contractId"), "contractId"),
    ("missing accountId", lambda c: _without(c, "accountId"), "accountId"),
    ("missing actions", lambda c: _without(c, "actions"), "actions"),
    ("negative offset", lambda c: _with_action(c, offset=-1), "actions[0].offset"),
    ("string offset", lambda c: _with_action(c, offset="3"), "actions[0].offset"),
    ("float offset", lambda c: _with_action(c, offset=1.5), "actions[0].offset"),
    ("missing offset", lambda c: {**c, "actions": [{"name": "action1"}]}, "actions[0].offset"),
    ("unknown action", lambda c: _with_action(c, name="launchRockets"), "actions[0].name"),
]


@pytest.mark.parametrize(("case", "mutate", "field"), BAD_REQUESTS, ids=[case for case, _, _ in BAD_REQUESTS])
def test_bad_request_rejected(deployment: Any, case: str, mutate: Any, field: str) -> None:
    contract = sample("contract-offer")
    body = mutate(contract)

    response = deployment.submit(body if isinstance(body, bytes) else json.dumps(body).encode())

    assert response.status == 400, response.body
    if field == "body":
        assert "not valid JSON" in response.body["error"]
    else:
        assert field in [error["field"] for error in response.body["invalidFields"]]
    _nothing_written(deployment, contract["contractId"], contract["accountId"])


def test_forced_failure_alerts_pagerduty(deployment: Any) -> None:
    contract = sample("contract-forced-failure")

    response = deployment.submit(contract, fault_step="payments")

    assert response.status == 500, response.body
    correlation_id = response.body["correlationId"]
    assert correlation_id
    alerts = poll(
        lambda: [a for a in deployment.alerts() if a["dedup_key"] == correlation_id],
        description=f"a PagerDuty event for {correlation_id}",
    )
    assert len(alerts) == 1
    assert alerts[0]["event_action"] == "trigger"
    assert contract["contractId"] in alerts[0]["payload"]["summary"]
    assert alerts[0]["routing_key"]
    details = alerts[0]["payload"]["custom_details"]
    assert details["correlationId"] == correlation_id
    assert "accountId" not in details
    assert "cause" not in details
    clients, resources = deployment.clients, deployment.resources
    outcomes = [record["outcome"] for record in audit_trail(clients, resources, contract["contractId"])]
    assert outcomes == ["FAILED"]
    assert payment(clients, resources, contract["contractId"]) is None
    assert stream_events(clients, resources, contract["contractId"]) == []


def test_unknown_fault_step_rejected(deployment: Any) -> None:
    contract = sample("contract-offer")

    response = deployment.submit(contract, fault_step="everything")

    assert response.status == 400, response.body
    _nothing_written(deployment, contract["contractId"], contract["accountId"])
