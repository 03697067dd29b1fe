"""Fixtures shared by the unit tests: AWS calls kept off the network, a Lambda context, a loopback receiver."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.http_stub import ScriptedResponse, StubServer, running_stub


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


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubServer]:
    """Run a PagerDuty stand-in on 127.0.0.1 that accepts every event with 202."""
    # Keep any proxy configured in the environment out of the way of loopback traffic.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    with running_stub("/v2/enqueue") as server:
        server.fallback = ScriptedResponse(status=202, body={"status": "success"})
        yield server
