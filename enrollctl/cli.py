"""enrollctl: run the contract enrollment workflow on the local emulator.

Every command talks only to 127.0.0.1 (or ENROLL_ENDPOINT_URL, which must resolve to loopback)
with dummy credentials, and checks that the endpoint reports the local account 000000000000.
"""

import argparse
import json
import os
import sys
import urllib.error
from decimal import Decimal
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError

from common.faults import STEPS
from enrollctl import hooks, processes, replan
from enrollctl.bench import run_bench
from enrollctl.console import Progress, error
from enrollctl.demo import run_demo
from enrollctl.deploy import DeployError, synth
from enrollctl.local_env import UnsafeTargetError
from enrollctl.report import audit_trail, payment, profile, stream_events
from enrollctl.report import hooks as hook_records
from enrollctl.workflow import ApiResponse, LocalDeployment


def _json_default(value: Any) -> Any:
    # DynamoDB returns every number as Decimal.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=_json_default))


def cmd_up(args: argparse.Namespace) -> int:
    deployment = LocalDeployment()
    progress = Progress(total=1)
    with progress.step("Start the emulator and the mock PagerDuty on 127.0.0.1"):
        for name, outcome in deployment.start_servers().items():
            print(f"      {name}: {outcome}")
    print(f"Emulator endpoint: {deployment.target.endpoint}; mock PagerDuty: {deployment.target.pagerduty_url}")
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    deployment = LocalDeployment()
    progress = Progress(total=3)
    with progress.step("Start the emulator and the mock PagerDuty on 127.0.0.1"):
        deployment.start_servers()
    with progress.step("Bootstrap the local account"):
        print("      ran cdklocal bootstrap" if deployment.bootstrap() else "      already bootstrapped")
    with progress.step("Deploy the three stacks with cdklocal"):
        deployment.deploy()
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    deployment = LocalDeployment()
    with Progress(total=1).step("Synthesize the local templates into cdk.out"):
        synth(deployment.target)
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    deployment = LocalDeployment()
    response = deployment.submit(args.file.read_bytes(), fault_step=args.fault)
    print(f"HTTP {response.status}")
    _print_json(response.body)
    return 0 if response.status < 400 else 1


def cmd_show(args: argparse.Namespace) -> int:
    deployment = LocalDeployment()
    clients, resources = deployment.clients, deployment.resources
    plan = payment(clients, resources, args.contract_id)
    account_id = args.account or (plan or {}).get("accountId")
    trail = audit_trail(clients, resources, args.contract_id)
    if not account_id and trail:
        account_id = trail[0].get("accountId")
    report = {
        "contractId": args.contract_id,
        "profile": profile(clients, resources, account_id) if account_id else None,
        "payment": plan,
        "streamEvents": stream_events(clients, resources, args.contract_id),
        "audit": trail,
        "actions": hook_records(clients, resources, args.contract_id),
    }
    if not any(report[key] for key in ("payment", "streamEvents", "audit", "actions")):
        error(f"nothing recorded for contract {args.contract_id}; it was never submitted, or rejected with a 400")
        return 1
    _print_json(report)
    return 0


def _body_of_success(response: ApiResponse) -> dict[str, Any] | None:
    """Return the body of a 200 response; print the API's error and return None otherwise."""
    if response.status != 200:
        error(f"HTTP {response.status}: {_api_error(response.body)}")
        return None
    body: dict[str, Any] = response.body
    return body


def cmd_hooks(args: argparse.Namespace) -> int:
    body = _body_of_success(LocalDeployment().contract_hooks(args.contract_id))
    if body is None:
        return 1
    if body.get("cancelled"):
        print(f"contract {args.contract_id} cancelled at {body['cancelledAt']}")
    if not body["hooks"]:
        print(f"no actions recorded yet for contract {args.contract_id}")
        return 0
    print(f"{'offset':>6}  {'action':<18} {'status':<11} {'fires at (UTC)':<20} hook")
    for hook in body["hooks"]:
        fires_at = str(hook.get("scheduledFor") or "-")[:19]
        action = hook.get("action") or "-"
        status = hook.get("status") or "-"
        print(f"{hook['offset']:>6}  {action:<18} {status:<11} {fires_at:<20} {hook['hookName']}")
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    body = _body_of_success(LocalDeployment().cancel(args.contract_id))
    if body is None:
        return 1
    print(f"contract {args.contract_id} cancelled; {body['cancelledNow']} pending hook(s) cancelled by this request")
    for name in body["cancelledHooks"]:
        print(f"  cancelled {name}")
    counts = ", ".join(f"{status} {count}" for status, count in body["statusCounts"].items())
    print(f"hooks by status: {counts or 'none'}")
    return 0


def cmd_replan(args: argparse.Namespace) -> int:
    deployment = LocalDeployment()
    attempt = replan.replan(deployment.clients, deployment.resources, args.contract_id)
    print(f"eventual workflow of {args.contract_id} started again as {attempt.name} (attempt {attempt.number})")
    return 0


def _api_error(body: Any) -> str:
    return str(body.get("error", body)) if isinstance(body, dict) else str(body)


def cmd_fast_forward(args: argparse.Namespace) -> int:
    deployment = LocalDeployment()
    group = deployment.resources.eventual["ScheduleGroupName"]
    results = hooks.fast_forward(deployment.clients, group, args.days)
    skipped = [hook for hook in results if hook.skipped]
    for hook in skipped:
        print(f"{hook.name}: skipped, {hook.error}; delete it or fire it by other means")
    fired = [hook for hook in results if not hook.skipped]
    for hook in fired:
        outcome = {"SKIPPED": "already fulfilled", "CANCELLED": "cancelled, not run"}.get(hook.target_status or "")
        if not hook.succeeded:
            state = f"failed ({hook.error})"
        elif outcome:
            state = f"delivered, {outcome}"
        else:
            state = "succeeded"
        extra = ", sent to the dead-letter queue" if hook.dead_lettered else ""
        print(f"{hook.name}: due {hook.due_at:%Y-%m-%d %H:%M} UTC, {state} after {hook.attempts} attempt(s){extra}")
    print(f"{len(fired)} hook(s) due within {args.days} days fired, {len(skipped)} schedule(s) skipped")
    return 0 if all(hook.succeeded for hook in fired) and not skipped else 1


def cmd_alerts(args: argparse.Namespace) -> int:
    deployment = LocalDeployment()
    try:
        alerts = deployment.alerts()
    except OSError as exc:
        error(f"the mock PagerDuty at {deployment.target.pagerduty_url} cannot be reached ({exc}); run 'make up'")
        return 2
    # The routing key is a secret on AWS; even the local placeholder is not printed.
    _print_json([{**alert, "routing_key": "<redacted>"} for alert in alerts])
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    return run_demo()


def cmd_bench(args: argparse.Namespace) -> int:
    return run_bench()


def cmd_down(args: argparse.Namespace) -> int:
    stopped = LocalDeployment().stop_servers()
    print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    deployment = LocalDeployment()
    checks = [
        ("emulator", f"{deployment.target.endpoint}/_localstack/health"),
        ("pagerduty-mock", processes.pagerduty_server(deployment.target).health_url),
    ]
    states = [processes.healthy(url) for _, url in checks]
    for (name, url), is_healthy in zip(checks, states, strict=True):
        print(f"{name:<15} {url:<45} {'healthy' if is_healthy else 'not running'}")
    return 0 if all(states) else 1


MAX_FAST_FORWARD_DAYS = 36500  # 100 years, far beyond the largest offset a contract may carry


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if not 0 <= days <= MAX_FAST_FORWARD_DAYS:
        raise argparse.ArgumentTypeError(f"days must be between 0 and {MAX_FAST_FORWARD_DAYS}, got {days}")
    return days


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="enrollctl", description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Any, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    add("up", cmd_up, "start the emulator and the mock PagerDuty server (reuses healthy ones)")
    add("deploy", cmd_deploy, "start the servers if needed, bootstrap, and deploy all three stacks")
    add("synth", cmd_synth, "synthesize the local templates into cdk.out")
    submit = add("submit", cmd_submit, "POST a contract file to the deployed API and print the answer")
    submit.add_argument("file", type=Path, help="JSON contract file, for example examples/contract-offer.json")
    submit.add_argument(
        "--fault", metavar="STEP", choices=STEPS, help=f"make STEP fail on purpose (local only): {', '.join(STEPS)}"
    )
    show = add("show", cmd_show, "print profile, payment, stream events, audit trail and actions of a contract")
    show.add_argument("contract_id")
    show.add_argument("--account", help="account id, when the contract has no payment or audit record")
    hooks_cmd = add(
        "hooks", cmd_hooks, "list the actions of a contract with offset, fire time and status (via the API)"
    )
    hooks_cmd.add_argument("contract_id")
    cancel = add(
        "cancel", cmd_cancel, "cancel a contract: delete its pending hooks and mark them CANCELLED (via the API)"
    )
    cancel.add_argument("contract_id")
    replan_cmd = add("replan", cmd_replan, "run the eventual workflow of an enrolled contract again after it failed")
    replan_cmd.add_argument("contract_id")
    forward = add("fast-forward", cmd_fast_forward, "fire now every hook due within DAYS days, as Scheduler would")
    forward.add_argument(
        "--days", type=_days, required=True, help=f"how many days ahead to treat as due (0 to {MAX_FAST_FORWARD_DAYS})"
    )
    add("alerts", cmd_alerts, "print the events the mock PagerDuty recorded")
    add("demo", cmd_demo, "start, deploy and run the sample contracts through both workflows")
    add("bench", cmd_bench, "measure API latency, hook firing and emulator memory; write docs/BENCHMARK.md")
    add("status", cmd_status, "show whether the emulator and the mock PagerDuty are healthy")
    add("down", cmd_down, "stop the emulator and the mock PagerDuty server")
    return parser


NOT_RUNNING_HINT = "is the emulator running with the stacks deployed? Run 'make deploy' (or 'make demo') first"


def _describe(exc: Exception) -> str | None:
    """Return the one-line message for an expected failure, or None for a bug worth a traceback."""
    if isinstance(exc, processes.StartupError | DeployError | UnsafeTargetError | replan.ReplanError):
        return str(exc)
    if isinstance(exc, EndpointConnectionError | ConnectionError | urllib.error.URLError):
        return f"cannot reach a local server ({exc}); {NOT_RUNNING_HINT}"
    if isinstance(exc, ClientError):
        return f"{exc}; {NOT_RUNNING_HINT}"
    if isinstance(exc, OSError | ValueError):
        return str(exc)
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except BrokenPipeError:
        # The reader (for example `head`) closed the pipe, so stop quietly as other tools do.
        # stdout then points at /dev/null, so the flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        error("interrupted")
        return 130
    except Exception as exc:
        message = _describe(exc)
        if message is None:
            raise
        error(message)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
