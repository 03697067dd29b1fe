"""Fixtures shared by the unit tests: a Lambda context object and a loopback HTTP receiver."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class FakeLambdaContext:
    """The attributes Powertools' inject_lambda_context reads from the Lambda context."""

    function_name: str = "unit-test-function"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:unit-test-function"
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(autouse=True)
def aws_only_on_a_closed_loopback_port(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every AWS SDK call at a closed port on 127.0.0.1, so no unit test can reach AWS."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


@dataclass
class ReceivedRequest:
    """One request recorded by the loopback receiver."""

    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class LoopbackReceiver:
    """An HTTP server on 127.0.0.1 that records each POST and responds with ``status``."""

    url: str
    status: int = 202
    requests: list[ReceivedRequest] = field(default_factory=list)


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackReceiver]:
    # Keep any proxy configured in the environment out of the way of loopback traffic.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    state = LoopbackReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            state.requests.append(ReceivedRequest(path=self.path, headers=dict(self.headers), body=body))
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"status": "success"}')

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v2/enqueue"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
