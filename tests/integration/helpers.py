"""Sample contracts and polling helpers for the integration tests."""

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from enrollctl.report import eventual_execution_status
from enrollctl.report import hooks as hook_records

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def sample(name: str) -> dict[str, Any]:
    """Load ``examples/<name>.json`` with a contract id and account id unique to this call."""
    contract: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    tag = uuid.uuid4().hex[:8]
    contract["contractId"] = f"{contract['contractId']}-{tag}"
    contract["accountId"] = f"{contract['accountId']}-{tag}"
    return contract


def poll(condition: Callable[[], Any], *, timeout: float = 60, interval: float = 0.5, description: str) -> Any:
    """Return the first truthy value of ``condition``; fail the test when ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {description}; last value {value!r}")
        time.sleep(interval)


def eventual_outcome(deployment: Any, contract_id: str, *, timeout: float = 60) -> str:
    """Wait until the newest eventual-workflow execution of the contract ends; return its status."""

    def finished() -> str | None:
        status = eventual_execution_status(deployment.clients, deployment.resources, contract_id)
        return status if status not in (None, "RUNNING") else None

    return str(poll(finished, timeout=timeout, description=f"the eventual workflow of {contract_id} to finish"))


def enroll(deployment: Any, contract: dict[str, Any]) -> dict[str, Any]:
    """Enroll ``contract`` and wait until its eventual workflow has succeeded."""
    response = deployment.submit(contract)
    assert response.status == 200, response.body

    assert eventual_outcome(deployment, contract["contractId"]) == "SUCCEEDED"
    expected = len(contract.get("actions") or contract.get("List") or [])
    assert len(hook_records(deployment.clients, deployment.resources, contract["contractId"])) == expected
    unexpected = [
        alert
        for alert in deployment.alerts()
        if alert["payload"].get("custom_details", {}).get("contractId") == contract["contractId"]
    ]
    assert unexpected == []
    return contract
