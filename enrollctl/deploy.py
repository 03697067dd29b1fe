"""Synthesize, bootstrap and deploy the stacks to the local endpoint with the pinned cdklocal."""

import subprocess
from pathlib import Path

from enrollctl.aws import Clients
from enrollctl.local_env import LOCAL_ACCOUNT, PROJECT_ROOT, REGION, LocalTarget, aws_environment
from enrollctl.processes import healthy

CDKLOCAL = PROJECT_ROOT / "node_modules" / ".bin" / "cdklocal"
CDK = PROJECT_ROOT / "node_modules" / ".bin" / "cdk"


class DeployError(RuntimeError):
    """Raised when bootstrap or deploy fails; the message ends with the CLI's last lines."""


def _run(command: list[str], target: LocalTarget, log_name: str) -> None:
    if not CDKLOCAL.exists():
        raise DeployError(f"{CDKLOCAL} is missing; run 'make install' first")
    target.state_dir.mkdir(parents=True, exist_ok=True)
    log_path: Path = target.state_dir / log_name
    with log_path.open("w") as log:
        # A private HOME keeps the CLI from reading ~/.cdk.json (which may name a profile) or ~/.aws.
        home = target.state_dir / "cdk-home"
        home.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env={**aws_environment(target), "HOME": str(home)},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        tail = "\n".join(log_path.read_text().splitlines()[-25:])
        if target.endpoint_override is None and not healthy(f"{target.endpoint}/_localstack/health"):
            raise DeployError(
                f"the emulator at {target.endpoint} stopped during '{' '.join(command[1:2])}'; "
                f"run 'make demo' (or 'make deploy') again to start it and deploy. CLI output: {log_path}"
            )
        raise DeployError(f"{' '.join(command[:2])} failed with exit code {result.returncode}; see {log_path}\n{tail}")


def bootstrapped(clients: Clients) -> bool:
    """Return True when the CDK bootstrap stack exists on the endpoint."""
    cloudformation = clients.client("cloudformation")
    try:
        stacks = cloudformation.describe_stacks(StackName="CDKToolkit")["Stacks"]
    except cloudformation.exceptions.ClientError:
        return False
    return bool(stacks) and stacks[0]["StackStatus"].endswith("_COMPLETE")


def bootstrap(target: LocalTarget) -> None:
    """Run ``cdklocal bootstrap`` for the local account."""
    _run([str(CDKLOCAL), "bootstrap", f"aws://{LOCAL_ACCOUNT}/{REGION}", "-c", "env=local"], target, "bootstrap.log")


def deploy(target: LocalTarget) -> None:
    """Run ``cdklocal deploy --all`` for the local environment."""
    command = [
        str(CDKLOCAL), "deploy", "--all", "--require-approval", "never", "-c", "env=local",
        "-c", f"pagerDutyEventsUrl={target.pagerduty_url}/v2/enqueue",
        "--outputs-file", str(target.state_dir / "outputs.json"),
    ]  # fmt: skip
    _run(command, target, "deploy.log")


def synth(target: LocalTarget) -> None:
    """Run ``cdk synth`` for the local environment into cdk.out."""
    command = [
        str(CDK),
        "synth",
        "--quiet",
        "-c",
        "env=local",
        "-c",
        f"pagerDutyEventsUrl={target.pagerduty_url}/v2/enqueue",
    ]
    _run(command, target, "synth.log")
