"""PagerDuty notifier: event mapping, and delivery to a real HTTP server on 127.0.0.1."""

import json
import socket
import urllib.request
from typing import Any

import pytest

from common.errors import ConfigurationError
from pagerduty_notifier import handler as notifier
from pagerduty_notifier.handler import SUMMARY_LIMIT, DeliveryError, build_event, send
from tests.events import load_event
from tests.http_stub import ScriptedResponse, running_stub

ROUTING_KEY = "test-routing-key"


class _FakeOpener:
    """Stands in for the notifier's opener, so a request never leaves the machine."""

    def __init__(self, open_request: Any) -> None:
        self.open = open_request


def _use_opener(monkeypatch: pytest.MonkeyPatch, open_request: Any) -> None:
    monkeypatch.setattr(notifier, "no_redirect_opener", lambda: _FakeOpener(open_request))


def _block_urlopen(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace the opener so that any attempt to send a request fails the test instead of leaving the machine."""
    attempted: list[str] = []

    def block(request: urllib.request.Request, timeout: float | None = None) -> Any:
        attempted.append(request.full_url)
        raise AssertionError(f"send() opened {request.full_url} but must reject the URL before any request")

    _use_opener(monkeypatch, block)
    return attempted


def _closed_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_alarm_event_fields():
    alarm = load_event("alarm-message")

    event = build_event(alarm, ROUTING_KEY)

    assert event["routing_key"] == ROUTING_KEY
    assert event["event_action"] == "trigger"
    assert event["dedup_key"] == f"alarm-{alarm['AlarmName']}"
    assert event["payload"]["summary"] == f"{alarm['AlarmName']} is ALARM: {alarm['NewStateReason']}"
    assert event["payload"]["source"] == "cloudwatch"
    assert event["payload"]["severity"] == "error"
    assert event["payload"]["component"] == "contract-enrollment"
    assert event["payload"]["custom_details"] == {
        "AlarmName": alarm["AlarmName"],
        "NewStateValue": "ALARM",
        "NewStateReason": alarm["NewStateReason"],
        "StateChangeTime": alarm["StateChangeTime"],
    }


def test_alarm_summary_truncated():
    alarm = load_event("alarm-message")
    alarm["NewStateReason"] = "x" * 5000

    event = build_event(alarm, ROUTING_KEY)

    assert len(event["payload"]["summary"]) == SUMMARY_LIMIT
    assert event["payload"]["summary"].startswith(f"{alarm['AlarmName']} is ALARM: xxx")
    assert event["payload"]["custom_details"]["NewStateReason"] == "x" * 5000


def test_alarm_dedup_key_stable():
    first = load_event("alarm-message")
    second = load_event("alarm-message")
    second["NewStateReason"] = "another datapoint"

    assert build_event(first, ROUTING_KEY)["dedup_key"] == build_event(second, ROUTING_KEY)["dedup_key"]


def test_failure_event_fields():
    failure = load_event("workflow-failure-message")

    event = build_event(failure, ROUTING_KEY)

    assert event["routing_key"] == ROUTING_KEY
    assert event["event_action"] == "trigger"
    assert event["dedup_key"] == failure["correlationId"]
    assert event["payload"]["summary"] == failure["summary"]
    assert event["payload"]["source"] == "immediate-workflow"
    assert event["payload"]["severity"] == "error"
    assert "summary" not in event["payload"]["custom_details"]
    assert event["payload"]["custom_details"]["contractId"] == "C-2026-000123"
    assert event["payload"]["custom_details"]["cause"] == failure["cause"]


def test_failure_summary_truncated():
    failure = load_event("workflow-failure-message")
    failure["summary"] = "s" * (SUMMARY_LIMIT + 1)

    assert build_event(failure, ROUTING_KEY)["payload"]["summary"] == "s" * SUMMARY_LIMIT


def test_failure_dedup_key_falls_back():
    failure = load_event("workflow-failure-message")
    del failure["correlationId"]

    assert build_event(failure, ROUTING_KEY)["dedup_key"] == "C-2026-000123"

    del failure["contractId"]

    assert build_event(failure, ROUTING_KEY)["dedup_key"] == failure["summary"]


def test_failure_dedup_key_truncated():
    failure = load_event("workflow-failure-message")
    failure["correlationId"] = "c" * 400

    assert build_event(failure, ROUTING_KEY)["dedup_key"] == "c" * 255


def test_failure_without_summary():
    event = build_event({"contractId": "C-1"}, ROUTING_KEY)

    assert event["payload"]["summary"] == "contract enrollment workflow failed"
    assert event["payload"]["source"] == "contract-enrollment"


def test_send_accepted(receiver, monkeypatch):
    monkeypatch.setenv("PAGERDUTY_EVENTS_URL", receiver.url)
    event = build_event(load_event("workflow-failure-message"), ROUTING_KEY)

    send(event)

    assert len(receiver.requests) == 1
    assert receiver.requests[0].path == "/v2/enqueue"
    assert receiver.requests[0].headers["Content-Type"] == "application/json"
    assert receiver.requests[0].json() == event


@pytest.mark.parametrize("status", [500, 400, 429, 200])
def test_send_not_accepted_raises(receiver, monkeypatch, status):
    monkeypatch.setenv("PAGERDUTY_EVENTS_URL", receiver.url)
    receiver.fallback = ScriptedResponse(status=status)
    event = build_event(load_event("workflow-failure-message"), ROUTING_KEY)

    with pytest.raises(DeliveryError, match=event["dedup_key"]):
        send(event)

    assert len(receiver.requests) == 1


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_send_redirect_not_followed(receiver, monkeypatch, status):
    # The event carries the routing key, so a redirect target must receive nothing.
    with running_stub("/v2/elsewhere") as elsewhere:
        receiver.fallback = ScriptedResponse(status=status, headers=(("Location", elsewhere.url),))
        monkeypatch.setenv("PAGERDUTY_EVENTS_URL", receiver.url)
        event = build_event(load_event("workflow-failure-message"), ROUTING_KEY)

        with pytest.raises(DeliveryError, match=event["dedup_key"]):
            send(event)

        assert len(receiver.requests) == 1
        assert elsewhere.requests == []


def test_send_connection_refused_raises(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv("PAGERDUTY_EVENTS_URL", f"http://127.0.0.1:{_closed_loopback_port()}/v2/enqueue")

    with pytest.raises(DeliveryError, match="failed"):
        send(build_event(load_event("workflow-failure-message"), ROUTING_KEY))


@pytest.mark.parametrize(
    "url",
    ["http://example.invalid/x", "ftp://127.0.0.1/x", "file:///etc/passwd", "http://localhost:4599/v2/enqueue"],
)
def test_send_rejects_url_before_request(monkeypatch, url):
    attempted = _block_urlopen(monkeypatch)
    monkeypatch.setenv("PAGERDUTY_EVENTS_URL", url)

    with pytest.raises(DeliveryError, match="must be https"):
        send(build_event(load_event("workflow-failure-message"), ROUTING_KEY))

    assert attempted == []


@pytest.mark.parametrize("url", ["http://127.0.0.1@example.invalid/x", "http://127.0.0.1.example.invalid/x"])
def test_send_rejects_lookalike_loopback(monkeypatch, url):
    attempted = _block_urlopen(monkeypatch)
    monkeypatch.setenv("PAGERDUTY_EVENTS_URL", url)

    with pytest.raises(DeliveryError, match="must be https"):
        send(build_event(load_event("workflow-failure-message"), ROUTING_KEY))

    assert attempted == []


def test_send_https_url_allowed(monkeypatch):
    sent: list[urllib.request.Request] = []

    class Accepted:
        status = 202

        def __enter__(self) -> "Accepted":
            return self

        def __exit__(self, *exc_info: object) -> None:
            return None

    def record(request: urllib.request.Request, timeout: float | None = None) -> Accepted:
        sent.append(request)
        return Accepted()

    # The fake opener keeps the request on this machine, because only the URL check is under test.
    _use_opener(monkeypatch, record)
    monkeypatch.setenv("PAGERDUTY_EVENTS_URL", "https://events.pagerduty.invalid/v2/enqueue")
    event = build_event(load_event("alarm-message"), ROUTING_KEY)

    send(event)

    assert len(sent) == 1
    assert sent[0].get_method() == "POST"
    assert sent[0].full_url == "https://events.pagerduty.invalid/v2/enqueue"
    assert isinstance(sent[0].data, bytes)
    assert json.loads(sent[0].data) == event


def test_send_without_url_raises(monkeypatch):
    monkeypatch.delenv("PAGERDUTY_EVENTS_URL", raising=False)

    with pytest.raises(ConfigurationError, match="PAGERDUTY_EVENTS_URL"):
        send(build_event(load_event("alarm-message"), ROUTING_KEY))


def test_handler_sends_each_record(receiver, monkeypatch, lambda_context):
    monkeypatch.setenv("PAGERDUTY_EVENTS_URL", receiver.url)
    # The routing key normally comes from Secrets Manager, but the unit tests make no AWS calls.
    monkeypatch.setattr(notifier, "_routing_key", lambda: ROUTING_KEY)
    records = [
        {"Sns": {"Message": json.dumps(load_event("alarm-message"), default=str)}},
        {"Sns": {"Message": json.dumps(load_event("workflow-failure-message"))}},
        {"Sns": {"Message": "plain text alert"}},
        {"Sns": {"Message": "[1, 2]"}},
    ]

    result = notifier.lambda_handler({"Records": records}, lambda_context)

    assert result == {"sent": 4}
    bodies = [request.json() for request in receiver.requests]
    assert [body["payload"]["source"] for body in bodies] == [
        "cloudwatch",
        "immediate-workflow",
        "contract-enrollment",
        "contract-enrollment",
    ]
    assert bodies[2]["payload"]["summary"] == "plain text alert"
    assert bodies[3]["payload"]["summary"] == "[1, 2]"
    assert all(body["routing_key"] == ROUTING_KEY for body in bodies)


def test_handler_raises_when_rejected(receiver, monkeypatch, lambda_context):
    monkeypatch.setenv("PAGERDUTY_EVENTS_URL", receiver.url)
    monkeypatch.setattr(notifier, "_routing_key", lambda: ROUTING_KEY)
    receiver.fallback = ScriptedResponse(status=500)
    records = [{"Sns": {"Message": json.dumps(load_event("workflow-failure-message"))}}]

    with pytest.raises(DeliveryError):
        notifier.lambda_handler({"Records": records}, lambda_context)


@pytest.mark.parametrize("severity", ["fatal", None, 3])
def test_unknown_severity_becomes_error(severity):
    event = build_event({"summary": "failed", "severity": severity}, ROUTING_KEY)

    assert event["payload"]["severity"] == "error"


def test_known_severity_kept():
    event = build_event({"summary": "failed", "severity": "warning"}, ROUTING_KEY)

    assert event["payload"]["severity"] == "warning"
