"""The main job: start the local set-up, deploy, and run sample contracts through both workflows."""

import json
import time
from pathlib import Path

from enrollctl import hooks
from enrollctl.console import Checks, Progress, wait_for
from enrollctl.local_env import PROJECT_ROOT
from enrollctl.report import audit_trail, eventual_execution_status, payment, profile, stream_events
from enrollctl.report import hooks as hook_records
from enrollctl.workflow import LocalDeployment, load_contract

EXAMPLES = PROJECT_ROOT / "examples"
EVENTUAL_TIMEOUT_SECONDS = 90
ALERT_TIMEOUT_SECONDS = 60
# The largest sample offset is 16 days. An enrollment after the 09:00 fire time anchors on the
# next day, so that hook can be due up to 17 days from now.
FAST_FORWARD_DAYS = 17


def _print_contract_report(deployment: LocalDeployment, contract_id: str, account_id: str) -> None:
    clients, resources = deployment.clients, deployment.resources
    customer = profile(clients, resources, account_id) or {}
    plan = payment(clients, resources, contract_id) or {}
    print(f"\n  Contract {contract_id} (account {account_id})")
    print(f"    profile status   : {customer.get('status', 'none')} (enrolled at {customer.get('enrolledAt', '-')})")
    if plan:
        print(
            f"    payment set-up   : {plan['planId']} {plan['status']}, {plan['monthlyPayment']} {plan['currency']}"
            f" x {plan['termMonths']} months from {plan['firstPaymentDate']}"
        )
    for event in stream_events(clients, resources, contract_id):
        print(f"    stream event     : {event['eventType']} seq {event['sequenceNumber'][-8:]}")
    for record in audit_trail(clients, resources, contract_id):
        print(f"    audit            : {record['auditId'].split('#')[0]} {record['outcome']}")
    print("    actions          :")
    for record in hook_records(clients, resources, contract_id):
        print(
            f"      offset {int(record['offset']):>3}  {record['actionName']:<18} {record['status']:<10}"
            f" due {record.get('scheduledFor', '-')[:19]}  {record['hookName']}"
        )


def _eventual_finished(deployment: LocalDeployment, contract_id: str) -> str | None:
    status = eventual_execution_status(deployment.clients, deployment.resources, contract_id)
    return status if status not in (None, "RUNNING") else None


class DemoRun:
    """One run of the demo: each phase prints progress and records the outcomes it expects."""

    def __init__(self) -> None:
        self.progress = Progress(total=10)
        self.checks = Checks()
        self.deployment = LocalDeployment()
        self.offer = load_contract(EXAMPLES / "contract-offer.json")
        self.rejected = load_contract(EXAMPLES / "contract-not-eligible.json")
        self.failing = load_contract(EXAMPLES / "contract-forced-failure.json")

    def set_up(self) -> None:
        deployment = self.deployment
        with self.progress.step("Start the emulator and the mock PagerDuty on 127.0.0.1"):
            for name, outcome in deployment.start_servers().items():
                print(f"      {name}: {outcome}")
        with self.progress.step("Bootstrap the local account"):
            print("      ran cdklocal bootstrap" if deployment.bootstrap() else "      already bootstrapped")
        with self.progress.step("Deploy the three stacks with cdklocal"):
            deployment.deploy()

    def enroll(self) -> None:
        deployment, offer, expect = self.deployment, self.offer, self.checks.expect
        eventual_offsets = sorted(action["offset"] for action in offer["actions"] if action["offset"] > 0)
        immediate_count = sum(1 for action in offer["actions"] if action["offset"] == 0)
        earlier = eventual_execution_status(deployment.clients, deployment.resources, offer["contractId"])
        with self.progress.step(f"Submit {offer['contractId']} through the API"):
            if earlier:
                print("      an earlier run enrolled this contract; the checks below read the records it left")
            response = deployment.submit(offer)
            print(f"      HTTP {response.status}: {json.dumps(response.body)[:300]}")
        body = response.body if isinstance(response.body, dict) else {}
        expect("eligible contract answered 200 ENROLLED", response.status == 200 and body.get("status") == "ENROLLED")

        with self.progress.step("Wait for the eventual workflow to fulfil offset 0 and schedule hooks"):
            status = wait_for(
                lambda: _eventual_finished(deployment, offer["contractId"]), timeout=EVENTUAL_TIMEOUT_SECONDS
            )
            print(f"      eventual workflow execution: {status or 'not finished'}")
        expect("eventual workflow execution SUCCEEDED", status == "SUCCEEDED", str(status))
        clients, resources = deployment.clients, deployment.resources
        ready = hook_records(clients, resources, offer["contractId"])
        customer = profile(clients, resources, offer["accountId"]) or {}
        expect("profile status is ENROLLED", customer.get("status") == "ENROLLED", str(customer.get("status")))
        expect("payment plan recorded", payment(clients, resources, offer["contractId"]) is not None)
        events = stream_events(clients, resources, offer["contractId"])
        expect("EnrollmentConfirmed event on the stream", any(e["eventType"] == "EnrollmentConfirmed" for e in events))
        fulfilled = [r for r in ready or [] if int(r["offset"]) == 0 and r["status"] == "FULFILLED"]
        expect(f"{immediate_count} offset-0 action fulfilled at once", len(fulfilled) == immediate_count)
        hook_offsets = sorted(int(r["offset"]) for r in ready or [] if int(r["offset"]) > 0)
        expected = f"hooks at +{', +'.join(map(str, eventual_offsets))} days"
        expect(expected, hook_offsets == eventual_offsets, str(hook_offsets))
        _print_contract_report(deployment, offer["contractId"], offer["accountId"])
        self._replay(body)

    def _replay(self, first: dict[str, object]) -> None:
        deployment, offer = self.deployment, self.offer
        clients, resources = deployment.clients, deployment.resources
        events_before = len(stream_events(clients, resources, offer["contractId"]))
        with self.progress.step(f"Submit {offer['contractId']} again: a replay gets the stored answer"):
            replay = deployment.submit(offer)
            print(f"      HTTP {replay.status}, X-Idempotent-Replay: {replay.headers.get('X-Idempotent-Replay', '-')}")
        events_after = len(stream_events(clients, resources, offer["contractId"]))
        self.checks.expect(
            "replay answered with the stored response and enrolled nothing twice",
            replay.status == 200
            and replay.body == first
            and replay.headers.get("X-Idempotent-Replay") == "true"
            and events_after == events_before,
            f"HTTP {replay.status}, stream events {events_before} -> {events_after}",
        )

    def fast_forward(self) -> None:
        deployment, offer = self.deployment, self.offer
        with self.progress.step(f"Fast-forward {FAST_FORWARD_DAYS} days: fire every hook due by then"):
            group = deployment.resources.eventual["ScheduleGroupName"]
            fired = hooks.fast_forward(deployment.clients, group, FAST_FORWARD_DAYS)
            for hook in fired:
                state = "fulfilled" if hook.succeeded else f"failed: {hook.error}"
                print(
                    f"      {hook.name} due {hook.due_at:%Y-%m-%d %H:%M} UTC: {state} after {hook.attempts} attempt(s)"
                )
            if not fired:
                print("      no hook was due (an earlier run fired them)")
        records = hook_records(deployment.clients, deployment.resources, offer["contractId"])
        statuses = [record["status"] for record in records]
        self.checks.expect(
            "every hook fulfilled after the fast-forward",
            bool(records) and all(status == "FULFILLED" for status in statuses),
            str(statuses),
        )
        _print_contract_report(deployment, offer["contractId"], offer["accountId"])

    def reject(self) -> None:
        with self.progress.step(f"Submit {self.rejected['contractId']}, which the ruleset rejects"):
            response = self.deployment.submit(self.rejected)
            print(f"      HTTP {response.status}: {json.dumps(response.body)[:400]}")
        body = response.body if isinstance(response.body, dict) else {}
        self.checks.expect(
            "ineligible contract answered NOT_ELIGIBLE with reasons",
            response.status == 200 and body.get("status") == "NOT_ELIGIBLE" and bool(body.get("reasons")),
            str(body),
        )

    def force_failure(self) -> None:
        deployment = self.deployment
        failing = self.failing
        with self.progress.step(f"Submit {failing['contractId']} with a failure forced at the audit step"):
            response = deployment.submit(failing, fault_step="audit")
            print(f"      HTTP {response.status}: {json.dumps(response.body)[:300]}")
        body = response.body if isinstance(response.body, dict) else {}
        correlation_id = body.get("correlationId")
        self.checks.expect(
            "forced failure answered 500 with a correlation id", response.status == 500 and bool(correlation_id)
        )
        clients, resources = deployment.clients, deployment.resources
        failures = [r for r in audit_trail(clients, resources, failing["contractId"]) if r["outcome"] == "FAILED"]
        undone = json.loads(failures[-1]["compensation"])["undone"] if failures else []
        print(f"      compensation undid, in this order: {', '.join(undone) or 'nothing'}")
        plan = payment(clients, resources, failing["contractId"]) or {}
        self.checks.expect(
            "failure undone: event reversed, payment cancelled, profile restored",
            undone == ["stream_event", "payments", "profile"]
            and plan.get("status") == "CANCELLED"
            and profile(clients, resources, failing["accountId"]) is None,
            f"undone {undone}, payment {plan.get('status')}",
        )
        with self.progress.step("Wait for the alert at the mock PagerDuty"):
            alerts = wait_for(
                lambda: [a for a in deployment.alerts() if a.get("dedup_key") == correlation_id],
                timeout=ALERT_TIMEOUT_SECONDS,
            )
            for event in alerts or []:
                print(f"      {event['event_action']} {event['payload']['severity']}: {event['payload']['summary']}")
        count = len(alerts or [])
        self.checks.expect("one PagerDuty event recorded for the forced failure", count == 1, f"{count} events")
        unexpected = [
            a
            for a in deployment.alerts()
            if a["payload"].get("custom_details", {}).get("contractId") == self.offer["contractId"]
        ]
        self.checks.expect(f"no alert for {self.offer['contractId']}", not unexpected, str(unexpected)[:300])


def run_demo() -> int:
    """Run the whole demo; return the process exit code (0 when every expected outcome happened)."""
    demo = DemoRun()
    demo.set_up()
    demo.enroll()
    demo.fast_forward()
    demo.reject()
    demo.force_failure()
    demo.checks.print_summary()
    _write_timings(demo.progress, demo.deployment.target.state_dir)
    return 1 if demo.checks.failed else 0


def _write_timings(progress: Progress, state_dir: Path) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "demo-timings.json"
    path.write_text(
        json.dumps(
            {"measuredAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "seconds": progress.durations}, indent=2
        )
    )
    print(f"Step timings written to {path}")
