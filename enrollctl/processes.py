"""Background servers of the local set-up: the embedded emulator and the mock PagerDuty.

Each runs detached, with its pid in ``<state dir>/<name>-<port>.pid`` and its output in
``<name>-<port>.log`` beside it. So ``up`` can be run again (it reuses healthy servers) and
``down`` can stop them.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from enrollctl.local_env import LOOPBACK, PROJECT_ROOT, LocalTarget, aws_environment, port_in_use

EMULATOR_PYTHON = PROJECT_ROOT / ".venv-emulator" / "bin" / "python"
STARTUP_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15


class StartupError(RuntimeError):
    """Raised when a server cannot start; the message names the next step."""


@dataclass(frozen=True, kw_only=True)
class Server:
    """One background server: how to start it and how to tell it is healthy."""

    name: str
    port: int
    health_url: str
    command: list[str]
    environment: dict[str, str]
    target: LocalTarget

    @property
    def state_dir(self) -> Path:
        return self.target.state_dir

    @property
    def module(self) -> str:
        """The ``-m`` module of the command, used to recognise the process behind a pid file."""
        return self.command[self.command.index("-m") + 1]

    @property
    def pid_file(self) -> Path:
        # The port is part of the name so two set-ups on different ports never share a pid file.
        return self.state_dir / f"{self.name}-{self.port}.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / f"{self.name}-{self.port}.log"


def emulator_server(target: LocalTarget) -> Server:
    """Describe the embedded emulator (ministack) on 127.0.0.1."""
    return Server(
        name="emulator",
        port=target.emulator_port,
        health_url=f"http://{LOOPBACK}:{target.emulator_port}/_localstack/health",
        command=[str(EMULATOR_PYTHON), "-m", "ministack"],
        environment={"GATEWAY_PORT": str(target.emulator_port), "BIND_HOST": LOOPBACK},
        target=target,
    )


def pagerduty_server(target: LocalTarget) -> Server:
    """Describe the mock PagerDuty server on 127.0.0.1."""
    return Server(
        name="pagerduty-mock",
        port=target.pagerduty_port,
        health_url=f"{target.pagerduty_url}/health",
        command=[
            sys.executable,
            "-m",
            "enrollctl.pagerduty_mock",
            "--port",
            str(target.pagerduty_port),
            "--events-file",
            str(target.state_dir / f"pagerduty-events-{target.pagerduty_port}.jsonl"),
        ],
        environment={},
        target=target,
    )


def healthy(url: str) -> bool:
    """Return True when ``url`` returns HTTP 200 within 2 seconds."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback health URL
            return bool(response.status == 200)
    except (OSError, ValueError):
        return False


def running_pid(server: Server) -> int | None:
    """Return the pid of ``server`` when its pid file names a live process running its module.

    Checking the module, working folder and port keeps a stale pid file, whose pid now belongs to
    another program or another checkout's server, from ever being used to stop that process.
    """
    try:
        pid = int(server.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _matches(server, str(pid)) else None


def _matches(server: Server, pid: str) -> bool:
    proc = Path("/proc") / pid
    try:
        command_line = (proc / "cmdline").read_bytes().split(b"\0")
        if server.module.encode() not in command_line or (proc / "cwd").resolve() != PROJECT_ROOT:
            return False
        environment = (proc / "environ").read_bytes().split(b"\0")
    except OSError:
        return False
    port = str(server.port).encode()
    return f"GATEWAY_PORT={server.port}".encode() in environment or (b"--port" in command_line and port in command_line)


def find_unrecorded(server: Server) -> int | None:
    """Return the pid of this checkout's ``server`` on its port when no pid file records it.

    This happens when the state folder was deleted while the server ran. Without this lookup,
    ``down`` could not stop the server and ``up`` would find its own port taken.
    """
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _matches(server, entry.name):
            return int(entry.name)
    return None


def start(server: Server) -> str:
    """Start ``server`` unless ours is already healthy; return 'started' or 'reused'."""
    server.state_dir.mkdir(parents=True, exist_ok=True)
    if running_pid(server) and healthy(server.health_url):
        return "reused"
    unrecorded = find_unrecorded(server)
    if unrecorded and healthy(server.health_url):
        server.pid_file.write_text(str(unrecorded))
        return "reused"
    if port_in_use(server.port):
        raise StartupError(
            f"port {server.port} on {LOOPBACK} is already in use by another program, so the {server.name} "
            f"cannot start. Stop that program, or choose another port with "
            f"{'ENROLL_EMULATOR_PORT' if server.name == 'emulator' else 'ENROLL_PAGERDUTY_PORT'}."
        )
    if server.name == "emulator" and not EMULATOR_PYTHON.exists():
        raise StartupError(f"{EMULATOR_PYTHON} is missing; run 'make install' first")
    # The emulator's function workers inherit this environment, so it is the isolated one.
    env = {**aws_environment(server.target), **server.environment, "PYTHONPATH": str(PROJECT_ROOT)}
    with server.log_file.open("ab") as log:
        process = subprocess.Popen(
            server.command,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server.pid_file.write_text(str(process.pid))
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StartupError(f"the {server.name} exited with code {process.returncode}; see {server.log_file}")
        if healthy(server.health_url):
            return "started"
        time.sleep(0.3)
    stop(server)
    raise StartupError(
        f"the {server.name} did not become healthy in {STARTUP_TIMEOUT_SECONDS} s; see {server.log_file}"
    )


def _exited(pid: int) -> bool:
    # A server started by this same process stays a zombie until it is reaped here.
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return True
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def stop(server: Server) -> bool:
    """Stop ``server`` gracefully (SIGTERM, then SIGKILL); return False when it was not running."""
    pid = running_pid(server) or find_unrecorded(server)
    server.pid_file.unlink(missing_ok=True)
    if pid is None:
        return False
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if _exited(pid):
            return True
        time.sleep(0.2)
    os.killpg(pid, signal.SIGKILL)
    return True


def recorded_alerts(target: LocalTarget) -> list[dict[str, object]]:
    """Return the events the mock PagerDuty has recorded."""
    url = f"{target.pagerduty_url}/events"
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback URL
        events: list[dict[str, object]] = json.loads(response.read())["events"]
    return events
