"""boto3 clients for the local endpoint, stack outputs and SigV4-signed API requests."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from enrollctl.local_env import (
    DUMMY_ACCESS_KEY,
    DUMMY_SECRET_KEY,
    LOCAL_ACCOUNT,
    REGION,
    LocalTarget,
    UnsafeTargetError,
)

STACKS = ("ContractEnrollment-Alerting", "ContractEnrollment-ImmediateWorkflow", "ContractEnrollment-EventualActions")


@dataclass(frozen=True)
class Clients:
    """boto3 clients bound to one local endpoint."""

    target: LocalTarget

    def client(self, service: str) -> Any:
        return _client(service, self.target.endpoint)

    def check_account(self) -> None:
        """Raise UnsafeTargetError unless the endpoint reports the local account."""
        account = self.client("sts").get_caller_identity()["Account"]
        if account != LOCAL_ACCOUNT:
            raise UnsafeTargetError(f"endpoint reports account {account}, expected {LOCAL_ACCOUNT}; refusing to go on")

    def outputs(self) -> dict[str, dict[str, str]]:
        """Return the outputs of each deployed stack, keyed by stack name then output key."""
        cloudformation = self.client("cloudformation")
        result: dict[str, dict[str, str]] = {}
        for stack in STACKS:
            described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
            result[stack] = {item["OutputKey"]: item["OutputValue"] for item in described.get("Outputs", [])}
        return result


@cache
def _client(service: str, endpoint: str) -> Any:
    config = Config(inject_host_prefix=False, retries={"max_attempts": 2, "mode": "standard"}, read_timeout=70)
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=DUMMY_ACCESS_KEY,
        aws_secret_access_key=DUMMY_SECRET_KEY,
        config=config,
    )


def api_url(target: LocalTarget, rest_api_id: str, stage: str, path: str) -> str:
    """Return the emulator's URL for ``path`` of a deployed REST API stage."""
    return f"{target.endpoint}/restapis/{rest_api_id}/{stage}/_user_request_/{path.lstrip('/')}"


def signed_request(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Send a SigV4-signed (execute-api) request and return status, headers and body."""
    request = AWSRequest(
        method=method, url=url, data=body, headers={"Content-Type": "application/json", **(headers or {})}
    )
    SigV4Auth(Credentials(DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY), "execute-api", REGION).add_auth(request)
    prepared = urllib.request.Request(url, data=body, headers=dict(request.headers.items()), method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(prepared, timeout=90) as response:  # noqa: S310 - loopback URL checked by caller
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


def decode_json(body: bytes) -> Any:
    """Decode a JSON body, or return the text when it is not JSON."""
    try:
        return json.loads(body)
    except ValueError:
        return body.decode(errors="replace")
