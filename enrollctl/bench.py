"""Benchmark of the local deployment: API latency per outcome and for replays, hook firing and emulator memory.

Run with ``make bench``. The figures go to stdout and to docs/BENCHMARK.md. Machines here are
shared and noisy, so the page reports medians and ratios measured in one run, never a single
sample.
"""

import os
import platform
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

from enrollctl import hooks, processes
from enrollctl.console import Progress, wait_for
from enrollctl.local_env import PROJECT_ROOT
from enrollctl.report import eventual_execution_status
from enrollctl.workflow import LocalDeployment, load_contract

PAGE = PROJECT_ROOT / "docs" / "BENCHMARK.md"
EXAMPLES = PROJECT_ROOT / "examples"
ROUNDS = int(os.environ.get("ENROLL_BENCH_ROUNDS", "15"))


def _rss_mib(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _tagged(contract: dict[str, Any]) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    return {
        **contract,
        "contractId": f"{contract['contractId']}-b{tag}",
        "accountId": f"{contract['accountId']}-b{tag}",
    }


def _timed_submit(deployment: LocalDeployment, contract: dict[str, Any], expected: int) -> float:
    started = time.perf_counter()
    response = deployment.submit(contract)
    elapsed = time.perf_counter() - started
    if response.status != expected:
        raise RuntimeError(f"benchmark request returned HTTP {response.status}, expected {expected}: {response.body}")
    return elapsed


def _wait_for_eventual_workflow(deployment: LocalDeployment, contract_id: str) -> None:
    def finished() -> bool:
        status = eventual_execution_status(deployment.clients, deployment.resources, contract_id)
        return status not in (None, "RUNNING")

    wait_for(finished, timeout=120)
    status = eventual_execution_status(deployment.clients, deployment.resources, contract_id)
    if status != "SUCCEEDED":
        raise RuntimeError(f"the eventual workflow of contract {contract_id} ended as {status}, not SUCCEEDED")


def run_bench() -> int:
    """Measure, print and write the benchmark page; return the exit code."""
    progress = Progress(total=4)
    deployment = LocalDeployment()
    offer = load_contract(EXAMPLES / "contract-offer.json")
    rejected = load_contract(EXAMPLES / "contract-not-eligible.json")
    with progress.step("Start the servers and deploy"):
        deployment.start_servers()
        deployment.bootstrap()
        deployment.deploy()
    emulator_pid = processes.running_pid(processes.emulator_server(deployment.target))
    rss_before = _rss_mib(emulator_pid)

    enrolled: list[float] = []
    not_eligible: list[float] = []
    replayed: list[float] = []
    contracts: list[dict[str, Any]] = []
    with progress.step(f"Submit {ROUNDS} eligible contracts, each twice, and {ROUNDS} ineligible ones"):
        deployment.submit(_tagged(offer))  # warm-up: the first call starts the function workers
        for _ in range(ROUNDS):
            contract = _tagged(offer)
            contracts.append(contract)
            enrolled.append(_timed_submit(deployment, contract, 200))
            # The second submission gets the stored response; no workflow runs.
            replayed.append(_timed_submit(deployment, contract, 200))
            not_eligible.append(_timed_submit(deployment, _tagged(rejected), 200))

    with progress.step("Wait for every contract's hooks, then fast-forward 17 days"):
        for contract in contracts:
            _wait_for_eventual_workflow(deployment, contract["contractId"])
        started = time.perf_counter()
        fired = hooks.fast_forward(deployment.clients, deployment.resources.eventual["ScheduleGroupName"], 17)
        fast_forward_seconds = time.perf_counter() - started
    rss_after = _rss_mib(emulator_pid)

    with progress.step(f"Write {PAGE.relative_to(PROJECT_ROOT)}"):
        page = _render(
            {"ENROLLED": enrolled, "NOT_ELIGIBLE": not_eligible, "replay of an ENROLLED request": replayed},
            len(fired),
            fast_forward_seconds,
            memory=(rss_before, rss_after),
        )
        PAGE.parent.mkdir(exist_ok=True)
        PAGE.write_text(page)
    print(page)
    return 0


def _render(
    latencies: dict[str, list[float]],
    fired: int,
    fast_forward_seconds: float,
    *,
    memory: tuple[float | None, float | None],
) -> str:
    rss_before, rss_after = memory

    def ms(value: float) -> str:
        return f"{value * 1000:.0f} ms"

    medians = {outcome: statistics.median(samples) for outcome, samples in latencies.items()}
    enrolled_median = medians["ENROLLED"]
    per_hook = fast_forward_seconds / fired if fired else 0.0
    memory_text = (
        f"{rss_before:.0f} MiB before, {rss_after:.0f} MiB after ({rss_after - rss_before:+.0f} MiB)"
        if rss_before is not None and rss_after is not None
        else "not measured (emulator not started by this tooling)"
    )
    rows = [
        f"| POST /contracts, {outcome} | {ms(medians[outcome])} | {ms(min(samples))} | {ms(max(samples))} |"
        for outcome, samples in latencies.items()
    ]
    ratios = [
        f"- Ratio ENROLLED / {outcome} median latency: {enrolled_median / medians[outcome]:.2f}"
        for outcome in latencies
        if outcome != "ENROLLED"
    ]
    return "\n".join(
        [
            "# Benchmark",
            "",
            "Written by `make bench` (`enrollctl/bench.py`) against the embedded emulator on this machine.",
            "Machines here are shared and noisy: compare the medians and ratios of one run, not across runs.",
            "",
            f"- Measured: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
            f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            f"- Rounds: {len(latencies['ENROLLED'])} of each, sequential, after one warm-up request",
            "",
            "| Figure | Median | Min | Max |",
            "|---|---|---|---|",
            *rows,
            "",
            *ratios,
            f"- Fast-forward: {fired} hooks fired in {fast_forward_seconds:.2f} s ({ms(per_hook)} per hook)",
            f"- Emulator resident memory: {memory_text}",
            "",
        ]
    )
