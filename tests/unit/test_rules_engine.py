"""Rules engine clients and the eligibility handler, against a scripted HTTP server on 127.0.0.1."""

import json
import logging
import random
import socket
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from common.errors import (
    ConfigurationError,
    InjectedFaultError,
    RulesEngineError,
    RulesEngineInvalidResponseError,
    RulesEngineRejectedError,
    RulesEngineUnavailableError,
)
from common.models import parse_contract
from common.outbound_url import is_allowed_outbound_url
from eligibility import handler as eligibility_handler
from eligibility.rules_engine import (
    MAX_RESPONSE_BYTES,
    HttpRulesEngine,
    HttpRulesEngineSettings,
    LocalRulesEngine,
)
from eligibility.ruleset import evaluate, load_ruleset
from tests.events import load_event
from tests.http_stub import ScriptedResponse, StubServer, running_stub

ELIGIBLE_RESPONSE = {"eligible": True, "rulesetVersion": "remote-7"}
NOT_ELIGIBLE_RESPONSE = {
    "eligible": False,
    "reasons": ["the balance is too high"],
    "failedRules": ["balance-limit"],
    "rulesetVersion": "remote-7",
}
# Customer data that must never appear in an error message or a log line.
SECRET_ACCOUNT_ID = "ACCT-SECRET-4242"
FAST_TIMEOUT_SECONDS = 0.3


@pytest.fixture
def rules_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubServer]:
    # Keep any proxy configured in the environment out of the way of loopback traffic.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    with running_stub("/v1/decide") as server:
        server.fallback = ScriptedResponse(body=dict(ELIGIBLE_RESPONSE))
        yield server


class RecordingSleep:
    """A sleep function that records each delay instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def _engine(
    url: str,
    *,
    max_attempts: int = 3,
    timeout_seconds: float = FAST_TIMEOUT_SECONDS,
    sleep: RecordingSleep | None = None,
    random_fraction: Any = None,
    backoff_base_seconds: float = 0.2,
    backoff_cap_seconds: float = 2.0,
) -> HttpRulesEngine:
    settings = HttpRulesEngineSettings(
        url=url,
        timeout_seconds=timeout_seconds,
        max_attempts=max_attempts,
        backoff_base_seconds=backoff_base_seconds,
        backoff_cap_seconds=backoff_cap_seconds,
    )
    return HttpRulesEngine(
        settings,
        sleep=sleep if sleep is not None else RecordingSleep(),
        random_fraction=random_fraction if random_fraction is not None else random.random,
    )


def _contract() -> dict[str, Any]:
    # The workflow passes the contract to the rules engine as the API serialized it.
    contract = parse_contract(load_event("contract-offer")).model_dump(mode="json")
    contract["accountId"] = SECRET_ACCOUNT_ID
    return contract


def _closed_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _block_urlopen(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make any attempt to open a URL fail the test, so a check that must not send anything is proven not to."""
    attempted: list[str] = []

    def block(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        url = request if isinstance(request, str) else request.full_url
        attempted.append(url)
        raise AssertionError(f"opened {url} but nothing may be sent")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", block)
    return attempted


# Responses and the request


def test_http_eligible_response(rules_server):
    rules_server.script(ScriptedResponse(body=ELIGIBLE_RESPONSE))

    decision = _engine(rules_server.url).decide(_contract(), "corr-1")

    assert decision.eligible is True
    assert decision.reasons == []
    assert decision.failed_rules == []
    assert decision.ruleset_version == "remote-7"


def test_http_not_eligible_response(rules_server):
    rules_server.script(ScriptedResponse(body=NOT_ELIGIBLE_RESPONSE))

    decision = _engine(rules_server.url).decide(_contract(), "corr-1")

    assert decision.eligible is False
    assert decision.reasons == ["the balance is too high"]
    assert decision.failed_rules == ["balance-limit"]
    assert decision.ruleset_version == "remote-7"


def test_http_extra_fields_ignored(rules_server):
    rules_server.script(ScriptedResponse(body={**ELIGIBLE_RESPONSE, "reasons": [], "score": 0.93}))

    decision = _engine(rules_server.url).decide(_contract(), "corr-1")

    assert decision.eligible is True
    assert decision.reasons == []


def test_request_body_and_headers(rules_server):
    contract = _contract()

    _engine(rules_server.url).decide(contract, "corr-abc-123")

    assert len(rules_server.requests) == 1
    received = rules_server.requests[0]
    assert received.method == "POST"
    assert received.path == "/v1/decide"
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["Accept"] == "application/json"
    assert received.headers["X-Correlation-Id"] == "corr-abc-123"
    assert json.loads(received.body) == {"contract": contract, "correlationId": "corr-abc-123"}


def test_request_without_correlation_id(rules_server):
    _engine(rules_server.url).decide(_contract(), None)

    received = rules_server.requests[0]
    assert "X-Correlation-Id" not in received.headers
    assert json.loads(received.body)["correlationId"] is None


def test_unsafe_correlation_id_kept_out_of_header(rules_server):
    _engine(rules_server.url).decide(_contract(), "corr-1\r\nX-Injected: yes")

    received = rules_server.requests[0]
    assert "X-Correlation-Id" not in received.headers
    assert "X-Injected" not in received.headers
    assert json.loads(received.body)["correlationId"] == "corr-1\r\nX-Injected: yes"


def test_unserializable_contract_raises(rules_server):
    contract = {"contractId": "C-1", "balance": {1, 2}}

    with pytest.raises(RulesEngineError, match="cannot be sent as JSON"):
        _engine(rules_server.url).decide(contract, None)

    assert rules_server.requests == []


# Retries


def test_slow_response_retried(rules_server):
    sleep = RecordingSleep()
    rules_server.script(
        ScriptedResponse(body=NOT_ELIGIBLE_RESPONSE, delay=FAST_TIMEOUT_SECONDS * 3),
        ScriptedResponse(body=ELIGIBLE_RESPONSE),
    )

    started = time.monotonic()
    decision = _engine(rules_server.url, sleep=sleep).decide(_contract(), "corr-1")
    elapsed = time.monotonic() - started

    assert decision.eligible is True
    assert len(rules_server.requests) == 2
    assert len(sleep.delays) == 1
    assert elapsed < FAST_TIMEOUT_SECONDS * 3


def test_always_500_unavailable(rules_server):
    sleep = RecordingSleep()
    rules_server.fallback = ScriptedResponse(status=500, body={"error": "boom"})

    with pytest.raises(RulesEngineUnavailableError, match=r"after 3 attempts.*HTTP 500") as raised:
        _engine(rules_server.url, max_attempts=3, sleep=sleep).decide(_contract(), "corr-1")

    assert len(rules_server.requests) == 3
    assert len(sleep.delays) == 2
    assert raised.value.attempts == 3
    assert raised.value.status == 500


def test_always_timeout_unavailable(rules_server):
    rules_server.fallback = ScriptedResponse(delay=FAST_TIMEOUT_SECONDS * 3)

    with pytest.raises(RulesEngineUnavailableError, match=r"after 2 attempts.*timeout") as raised:
        _engine(rules_server.url, max_attempts=2).decide(_contract(), "corr-1")

    assert len(rules_server.requests) == 2
    assert raised.value.status is None


def test_slow_body_retried(rules_server):
    # Each pause is shorter than the socket timeout, but together they pass the attempt's deadline.
    rules_server.script(
        ScriptedResponse(body=NOT_ELIGIBLE_RESPONSE, chunk_pause=FAST_TIMEOUT_SECONDS / 2),
        ScriptedResponse(body=ELIGIBLE_RESPONSE),
    )

    decision = _engine(rules_server.url).decide(_contract(), "corr-1")

    assert decision.eligible is True
    assert len(rules_server.requests) == 2


def test_503_then_200_succeeds(rules_server):
    rules_server.script(ScriptedResponse(status=503, body="unavailable"), ScriptedResponse(body=ELIGIBLE_RESPONSE))

    decision = _engine(rules_server.url).decide(_contract(), "corr-1")

    assert decision.eligible is True
    assert len(rules_server.requests) == 2


def test_429_retried(rules_server):
    rules_server.script(ScriptedResponse(status=429, body={}), ScriptedResponse(body=NOT_ELIGIBLE_RESPONSE))

    decision = _engine(rules_server.url).decide(_contract(), "corr-1")

    assert decision.eligible is False
    assert len(rules_server.requests) == 2


def test_single_attempt_not_retried(rules_server):
    sleep = RecordingSleep()
    rules_server.fallback = ScriptedResponse(status=502, body={})

    with pytest.raises(RulesEngineUnavailableError, match="after 1 attempt"):
        _engine(rules_server.url, max_attempts=1, sleep=sleep).decide(_contract(), "corr-1")

    assert len(rules_server.requests) == 1
    assert sleep.delays == []


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_4xx_not_retried(rules_server, status):
    sleep = RecordingSleep()
    rules_server.fallback = ScriptedResponse(status=status, body={"echo": SECRET_ACCOUNT_ID})

    with pytest.raises(RulesEngineRejectedError, match=f"HTTP {status}") as raised:
        _engine(rules_server.url, sleep=sleep).decide(_contract(), "corr-1")

    assert len(rules_server.requests) == 1
    assert sleep.delays == []
    assert raised.value.status == status
    assert SECRET_ACCOUNT_ID not in str(raised.value)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_not_followed(rules_server, status):
    # urllib would follow a 301, 302 or 303 after a POST, as a GET, so the target must see nothing.
    with running_stub("/v1/elsewhere") as elsewhere:
        rules_server.fallback = ScriptedResponse(status=status, body={}, headers=(("Location", elsewhere.url),))

        with pytest.raises(RulesEngineRejectedError, match=f"HTTP {status}, a redirect, which this client does not"):
            _engine(rules_server.url).decide(_contract(), "corr-1")

        assert [request.path for request in rules_server.requests] == ["/v1/decide"]
        assert elsewhere.requests == []


def test_connection_refused_unavailable(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    sleep = RecordingSleep()
    url = f"http://127.0.0.1:{_closed_loopback_port()}/v1/decide"

    with pytest.raises(RulesEngineUnavailableError, match=r"after 3 attempts.*connection error"):
        _engine(url, sleep=sleep).decide(_contract(), "corr-1")

    assert len(sleep.delays) == 2


# Invalid responses


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        ("", "not valid JSON"),
        ("[true]", "JSON list, expected an object"),
        ("true", "JSON bool, expected an object"),
        ("null", "JSON NoneType, expected an object"),
        ("[" * 5000 + "]" * 5000, "not valid JSON"),
        ('{"eligible": false, "reasons": ["r"], "rulesetVersion": "v1", "eligible": true}', "not valid JSON"),
    ],
    ids=["malformed", "not-utf8", "empty", "array", "boolean", "null", "deeply-nested", "duplicate-key"],
)
def test_non_object_body_invalid(rules_server, body, message):
    rules_server.fallback = ScriptedResponse(body=body)

    with pytest.raises(RulesEngineInvalidResponseError, match=message):
        _engine(rules_server.url).decide(_contract(), "corr-1")

    assert len(rules_server.requests) == 1


@pytest.mark.parametrize(
    ("document", "field_name"),
    [
        ({"eligible": "true", "rulesetVersion": "v1"}, "eligible"),
        ({"eligible": 1, "rulesetVersion": "v1"}, "eligible"),
        ({"eligible": 0, "rulesetVersion": "v1"}, "eligible"),
        ({"eligible": None, "rulesetVersion": "v1"}, "eligible"),
        ({"rulesetVersion": "v1"}, "eligible"),
        ({"eligible": True}, "rulesetVersion"),
        ({"eligible": True, "rulesetVersion": ""}, "rulesetVersion"),
        ({"eligible": True, "rulesetVersion": "   "}, "rulesetVersion"),
        ({"eligible": True, "rulesetVersion": 7}, "rulesetVersion"),
        ({"eligible": True, "rulesetVersion": "v1", "reasons": "none"}, "reasons"),
        ({"eligible": False, "rulesetVersion": "v1", "reasons": [3]}, "reasons.0"),
        ({"eligible": True, "rulesetVersion": "v1", "failedRules": [None]}, "failedRules.0"),
        ({"eligible": True, "rulesetVersion": "v" * 65}, "rulesetVersion"),
        ({"eligible": True, "rulesetVersion": "v1\nv2"}, "rulesetVersion"),
        ({"eligible": False, "rulesetVersion": "v1", "reasons": ["r"] * 21}, "reasons"),
        ({"eligible": False, "rulesetVersion": "v1", "reasons": ["r" * 201]}, "reasons.0"),
    ],
    ids=[
        "eligible-string",
        "eligible-one",
        "eligible-zero",
        "eligible-null",
        "eligible-missing",
        "version-missing",
        "version-empty",
        "version-blank",
        "version-number",
        "reasons-string",
        "reason-number",
        "failed-rule-null",
        "version-too-long",
        "version-control-character",
        "too-many-reasons",
        "reason-too-long",
    ],
)
def test_invalid_field_names_field(rules_server, document, field_name):
    rules_server.fallback = ScriptedResponse(body=document)

    with pytest.raises(RulesEngineInvalidResponseError, match=f"response is invalid: {field_name}: ") as raised:
        _engine(rules_server.url).decide(_contract(), "corr-1")

    assert len(rules_server.requests) == 1
    assert SECRET_ACCOUNT_ID not in str(raised.value)


@pytest.mark.parametrize("reasons", [None, []], ids=["missing", "empty"])
def test_not_eligible_needs_reasons(rules_server, reasons):
    document: dict[str, Any] = {"eligible": False, "rulesetVersion": "v1"}
    if reasons is not None:
        document["reasons"] = reasons
    rules_server.fallback = ScriptedResponse(body=document)

    with pytest.raises(RulesEngineInvalidResponseError, match="at least one reason when eligible is false"):
        _engine(rules_server.url).decide(_contract(), "corr-1")


def test_invalid_response_hides_echoed_data(rules_server):
    rules_server.fallback = ScriptedResponse(body={"eligible": SECRET_ACCOUNT_ID, "rulesetVersion": "v1"})

    with pytest.raises(RulesEngineInvalidResponseError) as raised:
        _engine(rules_server.url).decide(_contract(), "corr-1")

    assert "eligible" in str(raised.value)
    assert SECRET_ACCOUNT_ID not in str(raised.value)


@pytest.mark.parametrize("status", [201, 204])
def test_other_2xx_invalid(rules_server, status):
    rules_server.fallback = ScriptedResponse(status=status, body=ELIGIBLE_RESPONSE if status != 204 else b"")

    with pytest.raises(RulesEngineInvalidResponseError, match=f"HTTP {status}, expected 200"):
        _engine(rules_server.url).decide(_contract(), "corr-1")

    assert len(rules_server.requests) == 1


def test_oversized_body_invalid(rules_server):
    padding = "x" * MAX_RESPONSE_BYTES
    rules_server.fallback = ScriptedResponse(body={**ELIGIBLE_RESPONSE, "padding": padding})

    with pytest.raises(RulesEngineInvalidResponseError, match="larger than the 65536 byte limit"):
        _engine(rules_server.url).decide(_contract(), "corr-1")

    assert len(rules_server.requests) == 1


def test_oversized_body_without_length_invalid(rules_server):
    padding = "x" * MAX_RESPONSE_BYTES
    rules_server.fallback = ScriptedResponse(body={**ELIGIBLE_RESPONSE, "padding": padding}, send_length=False)

    with pytest.raises(RulesEngineInvalidResponseError, match="body is larger than the 65536 byte limit"):
        _engine(rules_server.url).decide(_contract(), "corr-1")

    assert len(rules_server.requests) == 1


def test_body_without_length_accepted(rules_server):
    rules_server.fallback = ScriptedResponse(body=NOT_ELIGIBLE_RESPONSE, send_length=False)

    assert _engine(rules_server.url).decide(_contract(), "corr-1").eligible is False


def test_body_at_size_limit_accepted(rules_server):
    base = json.dumps({**ELIGIBLE_RESPONSE, "padding": ""})
    document = {**ELIGIBLE_RESPONSE, "padding": "x" * (MAX_RESPONSE_BYTES - len(base))}
    assert len(json.dumps(document)) == MAX_RESPONSE_BYTES
    rules_server.fallback = ScriptedResponse(body=document)

    assert _engine(rules_server.url).decide(_contract(), "corr-1").eligible is True


# Backoff


def test_backoff_grows_to_cap(rules_server):
    sleep = RecordingSleep()
    rules_server.fallback = ScriptedResponse(status=500, body={})
    engine = _engine(
        rules_server.url,
        max_attempts=5,
        timeout_seconds=1,
        sleep=sleep,
        random_fraction=lambda: 1.0,
        backoff_base_seconds=0.1,
        backoff_cap_seconds=0.3,
    )

    with pytest.raises(RulesEngineUnavailableError):
        engine.decide(_contract(), "corr-1")

    assert sleep.delays == pytest.approx([0.1, 0.2, 0.3, 0.3])


def test_backoff_scaled_by_random_fraction(rules_server):
    sleep = RecordingSleep()
    fractions = iter([0.5, 0.0, 0.25, 0.9])
    rules_server.fallback = ScriptedResponse(status=503, body={})
    engine = _engine(
        rules_server.url, max_attempts=5, timeout_seconds=1, sleep=sleep, random_fraction=lambda: next(fractions)
    )

    with pytest.raises(RulesEngineUnavailableError):
        engine.decide(_contract(), "corr-1")

    assert sleep.delays == pytest.approx([0.5 * 0.2, 0.0, 0.25 * 0.8, 0.9 * 1.6])


def test_backoff_jitter_within_ceiling(rules_server):
    sleep = RecordingSleep()
    rules_server.fallback = ScriptedResponse(status=500, body={})
    engine = _engine(
        rules_server.url, max_attempts=5, timeout_seconds=1, sleep=sleep, random_fraction=random.Random(7).random
    )

    with pytest.raises(RulesEngineUnavailableError):
        engine.decide(_contract(), "corr-1")

    ceilings = [0.2, 0.4, 0.8, 1.6]
    assert len(sleep.delays) == 4
    for delay, ceiling in zip(sleep.delays, ceilings, strict=True):
        assert 0 <= delay <= ceiling
    assert len(set(sleep.delays)) == 4


def test_default_backoff_real_sleep(rules_server):
    rules_server.script(ScriptedResponse(status=500, body={}), ScriptedResponse(body=ELIGIBLE_RESPONSE))
    engine = HttpRulesEngine(HttpRulesEngineSettings(url=rules_server.url, timeout_seconds=1))

    started = time.monotonic()
    decision = engine.decide(_contract(), "corr-1")

    assert decision.eligible is True
    assert time.monotonic() - started < 1.0


# Logs


def test_attempt_logs_without_contract(rules_server, caplog):
    rules_server.script(ScriptedResponse(status=503, body={}), ScriptedResponse(body=ELIGIBLE_RESPONSE))

    with caplog.at_level(logging.INFO):
        _engine(rules_server.url).decide(_contract(), "corr-1")

    attempts = [record for record in caplog.records if record.getMessage().startswith("rules_engine_attempt")]
    assert [record.getMessage() for record in attempts] == [
        "rules_engine_attempt_failed",
        "rules_engine_attempt_succeeded",
    ]
    assert attempts[0].levelno == logging.WARNING
    assert attempts[0].__dict__["status"] == 503
    assert attempts[0].__dict__["will_retry"] is True
    assert attempts[1].__dict__["attempt"] == 2
    for record in caplog.records:
        assert SECRET_ACCOUNT_ID not in repr(record.__dict__)


# Settings and URL validation


@pytest.mark.parametrize(
    "url",
    [
        "http://example.invalid/v1/decide",
        "http://localhost:8080/v1/decide",
        "http://127.0.0.1@example.invalid/v1/decide",
        "http://127.0.0.1.example.invalid/v1/decide",
        "http://10.0.0.8/v1/decide",
        "file:///etc/passwd",
        "ftp://127.0.0.1/v1/decide",
        "https:///v1/decide",
        "http://127.0.0.1:99999/v1/decide",
        "127.0.0.1:8080/v1/decide",
        "",
    ],
)
def test_settings_reject_url(monkeypatch, url):
    attempted = _block_urlopen(monkeypatch)

    with pytest.raises(ConfigurationError, match="RULES_ENGINE_URL must be an https URL"):
        HttpRulesEngineSettings(url=url)

    assert attempted == []


def test_rejected_url_message_hides_credentials():
    with pytest.raises(ConfigurationError) as raised:
        HttpRulesEngineSettings(url="http://user:hunter2@example.invalid/v1/decide")

    assert "hunter2" not in str(raised.value)
    assert "'example.invalid'" in str(raised.value)


@pytest.mark.parametrize(
    "url", ["https://rules.example.invalid/v1/decide", "https://10.0.0.8:8443/decide", "http://127.0.0.1:8080/x"]
)
def test_settings_accept_url_without_sending(monkeypatch, url):
    attempted = _block_urlopen(monkeypatch)

    HttpRulesEngine(HttpRulesEngineSettings(url=url))

    assert is_allowed_outbound_url(url) is True
    assert attempted == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_attempts": 0}, "RULES_ENGINE_MAX_ATTEMPTS must be an integer from 1 to 5, got 0"),
        ({"max_attempts": 6}, "RULES_ENGINE_MAX_ATTEMPTS must be an integer from 1 to 5, got 6"),
        ({"timeout_seconds": 0}, "RULES_ENGINE_TIMEOUT_SECONDS must be a number of seconds greater than 0"),
        ({"timeout_seconds": -1}, "RULES_ENGINE_TIMEOUT_SECONDS must be a number of seconds greater than 0"),
        ({"timeout_seconds": float("nan")}, "RULES_ENGINE_TIMEOUT_SECONDS must be a number of seconds"),
        ({"timeout_seconds": float("inf")}, "RULES_ENGINE_TIMEOUT_SECONDS must be a number of seconds"),
        ({"timeout_seconds": 3, "max_attempts": 5}, r"could take 18\.0 s .* more than the 15\.0 s allowed"),
        ({"timeout_seconds": 15.5, "max_attempts": 1}, r"could take 15\.5 s"),
        ({"backoff_base_seconds": 0}, "it needs 0 < base <= cap"),
        ({"backoff_base_seconds": 3, "backoff_cap_seconds": 1}, "it needs 0 < base <= cap"),
    ],
    ids=[
        "attempts-zero",
        "attempts-six",
        "timeout-zero",
        "timeout-negative",
        "timeout-nan",
        "timeout-infinite",
        "budget-exceeded",
        "single-attempt-too-long",
        "backoff-base-zero",
        "backoff-base-above-cap",
    ],
)
def test_settings_reject_values(changes, message):
    with pytest.raises(ConfigurationError, match=message):
        HttpRulesEngineSettings(url="https://rules.example.invalid/v1/decide", **changes)


def test_default_settings_within_budget():
    settings = HttpRulesEngineSettings(url="https://rules.example.invalid/v1/decide")

    assert settings.timeout_seconds == 2.0
    assert settings.max_attempts == 3
    assert settings.worst_case_seconds() == pytest.approx(3 * 2.0 + 0.2 + 0.4)


def test_largest_allowed_settings_within_budget():
    settings = HttpRulesEngineSettings(url="https://rules.example.invalid/v1/decide", timeout_seconds=2, max_attempts=5)

    assert settings.worst_case_seconds() == pytest.approx(5 * 2.0 + 0.2 + 0.4 + 0.8 + 1.6)


# Local engine


def test_local_engine_matches_evaluate():
    ruleset = load_ruleset("contract-eligibility")
    contract = _contract()
    contract["contractDraft"]["currency"] = "EUR"

    decision = LocalRulesEngine(ruleset).decide(contract, "corr-1")

    assert decision == evaluate(ruleset, contract)
    assert decision.failed_rules == ["currency-supported"]


# Handler


HTTP_MODE = {"RULES_ENGINE_MODE": "http", "RULES_ENGINE_URL": "https://rules.example.invalid/v1/decide"}


def _handler_event(contract: dict[str, Any]) -> dict[str, Any]:
    return {"correlationId": "corr-handler-1", "contract": contract}


def test_handler_local_mode_shape(monkeypatch, lambda_context):
    monkeypatch.delenv("RULES_ENGINE_MODE", raising=False)
    contract = _contract()
    contract["contractDraft"]["termMonths"] = 120
    expected = evaluate(load_ruleset("contract-eligibility"), contract)

    result = eligibility_handler.lambda_handler(_handler_event(contract), lambda_context)

    assert result == {
        "eligible": False,
        "reasons": expected.reasons,
        "failedRules": ["term-limit"],
        "rulesetVersion": expected.ruleset_version,
    }


def test_handler_local_mode_eligible(monkeypatch, lambda_context):
    monkeypatch.setenv("RULES_ENGINE_MODE", "local")

    result = eligibility_handler.lambda_handler(_handler_event(_contract()), lambda_context)

    assert result["eligible"] is True
    assert result["reasons"] == []
    assert result["failedRules"] == []
    assert list(result) == ["eligible", "reasons", "failedRules", "rulesetVersion"]


def test_handler_http_mode(rules_server, monkeypatch, lambda_context):
    monkeypatch.setenv("RULES_ENGINE_MODE", "http")
    monkeypatch.setenv("RULES_ENGINE_URL", rules_server.url)
    monkeypatch.setenv("RULES_ENGINE_TIMEOUT_SECONDS", "1.5")
    monkeypatch.setenv("RULES_ENGINE_MAX_ATTEMPTS", "2")
    rules_server.script(ScriptedResponse(body=NOT_ELIGIBLE_RESPONSE))
    contract = _contract()

    result = eligibility_handler.lambda_handler(_handler_event(contract), lambda_context)

    assert result == {
        "eligible": False,
        "reasons": ["the balance is too high"],
        "failedRules": ["balance-limit"],
        "rulesetVersion": "remote-7",
    }
    assert rules_server.requests[0].headers["X-Correlation-Id"] == "corr-handler-1"
    assert json.loads(rules_server.requests[0].body)["contract"] == contract


def test_handler_http_max_attempts_from_env(rules_server, monkeypatch, lambda_context):
    monkeypatch.setenv("RULES_ENGINE_MODE", "http")
    monkeypatch.setenv("RULES_ENGINE_URL", rules_server.url)
    monkeypatch.setenv("RULES_ENGINE_MAX_ATTEMPTS", "1")
    rules_server.fallback = ScriptedResponse(status=500, body={})

    with pytest.raises(RulesEngineUnavailableError, match="after 1 attempt"):
        eligibility_handler.lambda_handler(_handler_event(_contract()), lambda_context)

    assert len(rules_server.requests) == 1


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"RULES_ENGINE_MODE": "remote"}, "RULES_ENGINE_MODE must be one of"),
        ({"RULES_ENGINE_MODE": "http"}, "RULES_ENGINE_URL is missing or empty"),
        ({"RULES_ENGINE_MODE": "http", "RULES_ENGINE_URL": "http://example.invalid/x"}, "RULES_ENGINE_URL must be"),
        (
            {**HTTP_MODE, "RULES_ENGINE_MAX_ATTEMPTS": "x"},
            "RULES_ENGINE_MAX_ATTEMPTS must be an integer, got 'x'",
        ),
        (
            {**HTTP_MODE, "RULES_ENGINE_MAX_ATTEMPTS": "9"},
            "RULES_ENGINE_MAX_ATTEMPTS must be an integer from 1 to 5, got 9",
        ),
        (
            {**HTTP_MODE, "RULES_ENGINE_TIMEOUT_SECONDS": "2s"},
            "RULES_ENGINE_TIMEOUT_SECONDS must be a number of seconds, got '2s'",
        ),
        (
            {**HTTP_MODE, "RULES_ENGINE_TIMEOUT_SECONDS": "8"},
            "more than the 15.0 s allowed",
        ),
    ],
    ids=[
        "unknown-mode",
        "url-missing",
        "url-not-allowed",
        "attempts-not-integer",
        "attempts-out-of-range",
        "timeout-not-number",
        "budget-exceeded",
    ],
)
def test_handler_rejects_configuration(monkeypatch, lambda_context, variables, message):
    attempted = _block_urlopen(monkeypatch)
    for name in ("RULES_ENGINE_URL", "RULES_ENGINE_TIMEOUT_SECONDS", "RULES_ENGINE_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError, match=message):
        eligibility_handler.lambda_handler(_handler_event(_contract()), lambda_context)

    assert attempted == []


def test_handler_injected_fault_first(rules_server, monkeypatch, lambda_context):
    monkeypatch.setenv("ALLOW_FAULT_INJECTION", "true")
    monkeypatch.setenv("RULES_ENGINE_MODE", "http")
    monkeypatch.setenv("RULES_ENGINE_URL", rules_server.url)
    event = {**_handler_event(_contract()), "faultStep": "eligibility"}

    with pytest.raises(InjectedFaultError, match="'eligibility'"):
        eligibility_handler.lambda_handler(event, lambda_context)

    assert rules_server.requests == []
