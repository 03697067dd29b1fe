"""Local endpoint settings, and the guard that keeps the local tooling off real AWS accounts."""

import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STATE_DIR = PROJECT_ROOT / ".local"
LOCAL_ACCOUNT = "000000000000"
LOOPBACK = "127.0.0.1"
REGION = "us-east-1"
# Dummy credentials: the emulator accepts any, and no real account can accept these.
DUMMY_ACCESS_KEY = "test"
DUMMY_SECRET_KEY = "test"  # noqa: S105 - not a secret, the emulator's placeholder credential


class UnsafeTargetError(RuntimeError):
    """Raised when a local command would send traffic anywhere but the local emulator."""


@dataclass(frozen=True, kw_only=True)
class LocalTarget:
    """The emulator endpoint and the mock PagerDuty port of one local set-up."""

    emulator_port: int
    pagerduty_port: int
    state_dir: Path = DEFAULT_STATE_DIR
    endpoint_override: str | None = None

    @property
    def endpoint(self) -> str:
        return self.endpoint_override or f"http://{LOOPBACK}:{self.emulator_port}"

    @property
    def pagerduty_url(self) -> str:
        return f"http://{LOOPBACK}:{self.pagerduty_port}"


def _port(variable: str, default: int) -> int:
    text = os.environ.get(variable) or str(default)
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise UnsafeTargetError(f"{variable}={text!r} is not a TCP port; use a number from 1 to 65535")
    return int(text)


def _state_dir() -> Path:
    path = Path(os.environ.get("ENROLL_STATE_DIR") or DEFAULT_STATE_DIR)
    if path.exists() and not path.is_dir():
        raise UnsafeTargetError(f"ENROLL_STATE_DIR {str(path)!r} is a file; point it at a folder (default .local)")
    return path


def target_from_environment() -> LocalTarget:
    """Read the ports from ENROLL_EMULATOR_PORT and ENROLL_PAGERDUTY_PORT (defaults 4566 and 4599).

    ENROLL_STATE_DIR moves the pid files, logs and stack outputs (default ``.local``), and
    ENROLL_ENDPOINT_URL points the tooling at another emulator, such as a LocalStack container.
    """
    target = LocalTarget(
        emulator_port=_port("ENROLL_EMULATOR_PORT", 4566),
        pagerduty_port=_port("ENROLL_PAGERDUTY_PORT", 4599),
        state_dir=_state_dir(),
        endpoint_override=os.environ.get("ENROLL_ENDPOINT_URL") or None,
    )
    assert_local_endpoint(target.endpoint)
    return target


def assert_local_endpoint(url: str) -> None:
    """Raise UnsafeTargetError unless ``url`` names a loopback IP address or ``localhost``.

    Other host names are rejected without a lookup: a name that resolves to loopback now could
    resolve elsewhere when a later request is sent.
    """
    host = urlparse(url).hostname
    if not host:
        raise UnsafeTargetError(f"endpoint {url!r} has no host name")
    if host == "localhost":
        return
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise UnsafeTargetError(
            f"endpoint {url!r} must use a loopback IP address such as 127.0.0.1, or localhost"
        ) from None
    if not address.is_loopback:
        raise UnsafeTargetError(f"endpoint {url!r} is not on loopback; local commands reject it")


PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "ftp_proxy"}


def aws_environment(target: LocalTarget) -> dict[str, str]:
    """Return environment variables that point AWS SDKs and the CDK CLI at the local endpoint only.

    Every AWS_* and proxy variable of the caller is dropped. The shared AWS config and
    credentials files are replaced by empty ones. So no profile, credential process, proxy or
    per-service endpoint can send a request anywhere but the local endpoint.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_")
        and key.lower() not in PROXY_VARIABLES
        and key not in {"CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION"}
    }
    env.update(
        {
            # An empty file, so no shared AWS config or credentials are read.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "NO_PROXY": "127.0.0.1,localhost,::1",
            "no_proxy": "127.0.0.1,localhost,::1",
            "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": target.endpoint,
            "AWS_ENDPOINT_URL_S3": target.endpoint,
            "AWS_EC2_METADATA_DISABLED": "true",
            "CDK_DISABLE_VERSION_CHECK": "1",
            "CDK_DISABLE_CLI_TELEMETRY": "true",
            "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        }
    )
    return env


def apply_aws_environment(target: LocalTarget) -> None:
    """Point this process's boto3 and urllib at the local endpoint only, with dummy credentials."""
    for key in [key for key in os.environ if key.startswith("AWS_") or key.lower() in PROXY_VARIABLES]:
        del os.environ[key]
    isolated = aws_environment(target)
    os.environ.update(
        {k: v for k, v in isolated.items() if k.startswith(("AWS_", "CDK_", "JSII_")) or k.lower() == "no_proxy"}
    )


def port_in_use(port: int) -> bool:
    """Return True when something listens on ``port`` on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((LOOPBACK, port)) == 0
