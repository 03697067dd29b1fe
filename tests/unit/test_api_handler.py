"""POST /contracts rejections (400 and 413): each returns before the workflow starts.

The success path calls Step Functions and is covered by the integration tests.
"""

import json
from typing import Any

import pytest

from api import handler as api
from api.handler import FAULT_HEADER, MAX_BODY_BYTES
from tests.events import load_event, read_event_text

REQUEST_ID = "0c7e5d1a-3f2b-4b8e-9d6a-1e2f3a4b5c6d"


@pytest.fixture(autouse=True)
def no_workflow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the handler writes a lock or starts the workflow on a rejection path."""

    def fail_if_called() -> Any:
        raise AssertionError("the handler started the workflow for a request it should reject")

    def fail_if_locked() -> Any:
        raise AssertionError("the handler took a contract lock for a request it should reject")

    monkeypatch.setattr(api, "_sfn", fail_if_called)
    monkeypatch.setattr(api, "_ledger", fail_if_locked)
    monkeypatch.setattr(api, "is_cancelled", lambda table_name, contract_id: False)
    monkeypatch.setenv("HOOKS_TABLE_NAME", "unit-test-hooks")
    monkeypatch.setenv("STATE_MACHINE_ARN", "arn:aws:states:us-east-1:000000000000:stateMachine:unit-test")


def _request(body: str | None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    event: dict[str, Any] = load_event("api-gateway-proxy")
    event["body"] = body
    if headers is not None:
        event["headers"] = {**event["headers"], **headers}
    return event


def _call(event: dict[str, Any], context: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
    response = api.lambda_handler(event, context)
    return response["statusCode"], json.loads(response["body"]), response["headers"]


@pytest.mark.parametrize("body", ["{", "not json", '{"contractId": }', "", None], ids=repr)
def test_invalid_json_returns_400(lambda_context, body):
    status, payload, headers = _call(_request(body), lambda_context)

    assert status == 400
    assert payload["error"].startswith("request body is not valid JSON")
    assert payload["correlationId"] == f"corr-{REQUEST_ID}"
    assert headers["X-Correlation-Id"] == f"corr-{REQUEST_ID}"
    assert headers["Content-Type"] == "application/json"


def test_invalid_json_names_position(lambda_context):
    _, payload, _ = _call(_request('{\n  "contractId": }'), lambda_context)

    assert "line 2 column 17" in payload["error"]


def test_missing_fields_return_400(lambda_context):
    status, payload, _ = _call(_request("{}"), lambda_context)

    assert status == 400
    assert payload["error"] == "invalid contract request"
    assert [error["field"] for error in payload["invalidFields"]] == [
        "contractId",
        "accountId",
        "contractInfo",
        "contractDraft",
        "actions",
    ]
    assert all(error["message"] == "Field required" for error in payload["invalidFields"])


def test_invalid_offset_returns_field_path(lambda_context):
    body = read_event_text("contract-offer").replace('"offset": 3}', '"offset": 3.5}')

    status, payload, _ = _call(_request(body), lambda_context)

    assert status == 400
    assert [error["field"] for error in payload["invalidFields"]] == ["actions[1].offset"]


def test_too_large_body_returns_413(lambda_context):
    body = json.dumps({"padding": "x" * MAX_BODY_BYTES})

    status, payload, headers = _call(_request(body), lambda_context)

    assert status == 413
    assert str(MAX_BODY_BYTES) in payload["error"]
    assert headers["X-Correlation-Id"] == f"corr-{REQUEST_ID}"


def test_size_limit_counts_bytes(lambda_context):
    # Two bytes per character in UTF-8: under the limit in characters, over it in bytes.
    body = "é" * (MAX_BODY_BYTES // 2 + 1)

    status, _, _ = _call(_request(body), lambda_context)

    assert status == 413


def test_body_at_limit_not_413(lambda_context):
    body = '"' + "x" * (MAX_BODY_BYTES - 2) + '"'

    status, payload, _ = _call(_request(body), lambda_context)

    assert status == 400
    assert [error["field"] for error in payload["invalidFields"]] == ["body"]


@pytest.mark.parametrize("flag", [None, "false", "TRUE", "1"])
@pytest.mark.parametrize("header", [FAULT_HEADER, "X-Enrollment-Fault-Step"])
def test_fault_header_rejected_when_disabled(lambda_context, monkeypatch, flag, header):
    if flag is None:
        monkeypatch.delenv("ALLOW_FAULT_INJECTION", raising=False)
    else:
        monkeypatch.setenv("ALLOW_FAULT_INJECTION", flag)
    event = _request(read_event_text("contract-offer"), {"Content-Type": "application/json", header: "payments"})

    status, payload, _ = _call(event, lambda_context)

    assert status == 400
    assert payload["invalidFields"] == [
        {"field": f"header {FAULT_HEADER}", "message": "fault injection is disabled in this environment"}
    ]


def test_unknown_fault_step_rejected(lambda_context, monkeypatch):
    monkeypatch.setenv("ALLOW_FAULT_INJECTION", "true")
    event = _request(read_event_text("contract-offer"), {FAULT_HEADER: "billing"})

    status, payload, _ = _call(event, lambda_context)

    assert status == 400
    assert payload["invalidFields"][0]["field"] == f"header {FAULT_HEADER}"
    assert "unknown step 'billing'" in payload["invalidFields"][0]["message"]


def test_correlation_id_without_request_context(lambda_context):
    event = _request("{")
    del event["requestContext"]

    _, payload, headers = _call(event, lambda_context)

    assert payload["correlationId"].startswith("corr-")
    assert len(payload["correlationId"]) > len("corr-")
    assert headers["X-Correlation-Id"] == payload["correlationId"]


def test_valid_request_reaches_workflow(lambda_context):
    # Shows that the no_workflow guard would catch a rejection path that writes anything.
    with pytest.raises(AssertionError, match="took a contract lock"):
        api.lambda_handler(_request(read_event_text("contract-offer")), lambda_context)


def test_duplicate_keys_return_400(lambda_context):
    body = read_event_text("contract-offer").replace('"contractId": ', '"contractId": "C-OTHER", "contractId": ', 1)

    status, payload, _ = _call(_request(body), lambda_context)

    assert status == 400
    assert "duplicate keys ['contractId']" in payload["error"]


def test_deep_nesting_returns_400(lambda_context):
    body = "[" * 5000 + "]" * 5000

    status, payload, _ = _call(_request(body), lambda_context)

    assert status == 400
    assert "nested too deeply" in payload["error"]


def test_fault_and_body_errors_listed_together(lambda_context, monkeypatch):
    monkeypatch.setenv("ALLOW_FAULT_INJECTION", "true")

    status, payload, _ = _call(_request("{}", {FAULT_HEADER: "nosuchstep"}), lambda_context)

    assert status == 400
    fields = [error["field"] for error in payload["invalidFields"]]
    assert "contractId" in fields
    assert f"header {FAULT_HEADER}" in fields


def test_execution_input_over_limit_returns_413(lambda_context, monkeypatch):
    # Bodies under the body limit stay under the input limit, so the check is shown with a lower one.
    monkeypatch.setattr(api, "MAX_EXECUTION_INPUT_BYTES", 200)

    status, payload, _ = _call(_request(read_event_text("contract-offer")), lambda_context)

    assert status == 413
    assert "larger than 200 bytes once parsed" in payload["error"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"contractId": NaN}', "NaN is not a JSON value"),
        ('{"contractId": -Infinity}', "-Infinity is not a JSON value"),
        ("[" * 9 + "]" * 9, "nested more than 8 levels deep"),
        ('{"contractId": "C-\\ud800"}', "lone surrogate"),
        ('{"contractId": "C-\ufffd"}', "U+FFFD"),
        ('{"a\ufffd": 1}', "U+FFFD"),
    ],
    ids=["nan", "infinity", "too-deep", "lone-surrogate", "replacement-character", "damaged-key"],
)
def test_unusable_json_returns_400(lambda_context, body, message):
    status, payload, _ = _call(_request(body), lambda_context)

    assert status == 400
    assert message in payload["error"]


def test_eight_levels_accepted_by_the_structure_check(lambda_context):
    # Eight levels pass the depth check and fail only as a contract.
    status, payload, _ = _call(_request("[" * 8 + "]" * 8), lambda_context)

    assert status == 400
    assert payload["error"] == "invalid contract request"


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_wrong_content_type_returns_415(lambda_context, content_type):
    event = _request(read_event_text("contract-offer"))
    event["headers"] = {} if content_type is None else {"content-type": content_type}

    status, payload, _ = _call(event, lambda_context)

    assert status == 415
    assert "Content-Type must be application/json" in payload["error"]


def test_json_with_charset_accepted(lambda_context):
    event = _request(read_event_text("contract-offer"))
    event["headers"] = {"content-type": "application/json; charset=utf-8"}

    with pytest.raises(AssertionError, match="took a contract lock"):
        api.lambda_handler(event, lambda_context)
