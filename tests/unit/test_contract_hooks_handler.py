"""contract_hooks rejections (400 and 405) and the hook view, which read no table.

Listing and cancelling read DynamoDB and Scheduler and are covered by the integration tests.
"""

import json
from typing import Any

import pytest

from common.hook_store import hook_view
from contract_hooks import handler as contract_hooks


@pytest.fixture(autouse=True)
def no_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the handler reaches DynamoDB on a rejection path."""

    def fail_if_called(name: str) -> Any:
        raise AssertionError(f"the handler read table {name} for a request it should reject")

    monkeypatch.setattr(contract_hooks, "table", fail_if_called)
    monkeypatch.setattr(contract_hooks, "list_hooks", fail_if_called)


def _event(method: str, path: str, contract_id: str | None) -> dict[str, Any]:
    return {
        "httpMethod": method,
        "path": path,
        "pathParameters": None if contract_id is None else {"contractId": contract_id},
        "requestContext": {"requestId": "unit-request"},
    }


def _call(event: dict[str, Any], context: Any) -> tuple[int, dict[str, Any]]:
    response = contract_hooks.lambda_handler(event, context)
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize(
    "contract_id",
    ["-starts-with-dash", "C" * 65, "has space", "semi;colon", ""],
    ids=["leading-dash", "too-long", "space", "semicolon", "empty"],
)
def test_invalid_contract_id_rejected(lambda_context, contract_id):
    status, body = _call(_event("GET", f"/contracts/{contract_id}/hooks", contract_id), lambda_context)

    assert status == 400
    assert body["error"].startswith("invalid contract id")
    assert body["correlationId"] == "corr-unit-request"


def test_contract_id_read_from_path(lambda_context):
    # Without pathParameters the id comes from the path, percent-decoded, and is still validated.
    status, body = _call(_event("DELETE", "/contracts/bad%20id", None), lambda_context)

    assert status == 400
    assert body["error"].startswith("invalid contract id")


def test_other_method_rejected(lambda_context):
    status, body = _call(_event("POST", "/contracts/C-1/hooks", "C-1"), lambda_context)

    assert status == 405
    assert body["error"] == "method POST is not allowed"


def test_hook_view_fields():
    record = {
        "contractId": "C-1",
        "hookName": "C-1-004-rateChange-0123456789",
        "actionName": "rateChange",
        "offset": 30,
        "scheduledFor": "2027-01-04T14:00:00+00:00",
        "status": "FULFILLED",
        "fulfilledAt": "2027-01-04T14:00:02+00:00",
        "claimedAt": "2027-01-04T14:00:01+00:00",
    }

    view = hook_view(record)

    assert view == {
        "hookName": "C-1-004-rateChange-0123456789",
        "action": "rateChange",
        "offset": 30,
        "scheduledFor": "2027-01-04T14:00:00+00:00",
        "status": "FULFILLED",
        "fulfilledAt": "2027-01-04T14:00:02+00:00",
    }
