"""Operations on a local deployment, shared by the command line, the demo and the tests."""

import json
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from enrollctl import deploy, processes
from enrollctl.aws import Clients, api_url, decode_json, signed_request
from enrollctl.local_env import LocalTarget, apply_aws_environment, target_from_environment
from enrollctl.report import Resources

FAULT_HEADER = "X-Enrollment-Fault-Step"
API_STAGE = "v1"


@dataclass(frozen=True, kw_only=True)
class ApiResponse:
    """Status, headers and decoded body of one API call."""

    status: int
    headers: dict[str, str]
    body: Any


class LocalDeployment:
    """The emulator, the mock PagerDuty and the deployed stacks on one loopback endpoint."""

    def __init__(self, target: LocalTarget | None = None) -> None:
        self.target = target or target_from_environment()
        apply_aws_environment(self.target)
        self.clients = Clients(self.target)
        self._resources: Resources | None = None

    def start_servers(self) -> dict[str, str]:
        """Start (or reuse) the emulator and the mock PagerDuty; return what happened to each."""
        outcome: dict[str, str] = {}
        if self.target.endpoint_override is None:
            outcome["emulator"] = processes.start(processes.emulator_server(self.target))
        outcome["pagerduty-mock"] = processes.start(processes.pagerduty_server(self.target))
        self.clients.check_account()
        return outcome

    def stop_servers(self) -> list[str]:
        """Stop the servers this tooling started; return the names of those that were running."""
        servers = [processes.pagerduty_server(self.target), processes.emulator_server(self.target)]
        return [server.name for server in servers if processes.stop(server)]

    def bootstrap(self) -> bool:
        """Bootstrap the local account unless done already; return True when it ran."""
        self.clients.check_account()
        if deploy.bootstrapped(self.clients):
            return False
        deploy.bootstrap(self.target)
        return True

    def deploy(self) -> None:
        """Deploy all three stacks."""
        self.clients.check_account()
        deploy.deploy(self.target)
        self._resources = None

    @property
    def resources(self) -> Resources:
        if self._resources is None:
            self._resources = Resources(self.clients.outputs())
        return self._resources

    def submit(self, contract: dict[str, Any] | bytes, *, fault_step: str | None = None) -> ApiResponse:
        """POST one contract (a dict, or raw bytes sent as they are) to the deployed API."""
        body = contract if isinstance(contract, bytes) else json.dumps(contract).encode()
        headers = {FAULT_HEADER: fault_step} if fault_step else {}
        url = api_url(self.target, self.resources.immediate["RestApiId"], API_STAGE, "contracts")
        status, response_headers, raw = signed_request("POST", url, body, headers)
        return ApiResponse(status=status, headers=response_headers, body=decode_json(raw))

    def contract_hooks(self, contract_id: str) -> ApiResponse:
        """GET /contracts/{contract_id}/hooks from the deployed API."""
        return self._call("GET", f"contracts/{urllib.parse.quote(contract_id, safe='')}/hooks")

    def cancel(self, contract_id: str) -> ApiResponse:
        """DELETE /contracts/{contract_id} on the deployed API: cancel the contract's pending hooks."""
        return self._call("DELETE", f"contracts/{urllib.parse.quote(contract_id, safe='')}")

    def _call(self, method: str, path: str) -> ApiResponse:
        url = api_url(self.target, self.resources.immediate["RestApiId"], API_STAGE, path)
        status, headers, raw = signed_request(method, url)
        return ApiResponse(status=status, headers=headers, body=decode_json(raw))

    def alerts(self) -> list[dict[str, Any]]:
        """Return the events the mock PagerDuty recorded."""
        return processes.recorded_alerts(self.target)


def load_contract(path: Path) -> dict[str, Any]:
    """Read a sample contract file."""
    data: dict[str, Any] = json.loads(path.read_text())
    return data
