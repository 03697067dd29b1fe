"""Background servers of the tooling: started, found again and stopped (mock PagerDuty only)."""

import socket
from pathlib import Path

import pytest

from enrollctl import processes
from enrollctl.local_env import LocalTarget

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_server_stopped_without_pid_file(tmp_path: Path) -> None:
    target = LocalTarget(emulator_port=_free_port(), pagerduty_port=_free_port(), state_dir=tmp_path)
    server = processes.pagerduty_server(target)
    assert processes.start(server) == "started"
    pid = processes.running_pid(server)
    assert pid is not None

    server.pid_file.unlink()

    assert processes.find_unrecorded(server) == pid
    assert processes.start(server) == "reused"
    assert processes.stop(server) is True
    assert not processes.healthy(server.health_url)
    assert processes.stop(server) is False


def test_stale_pid_file_ignored(tmp_path: Path) -> None:
    target = LocalTarget(emulator_port=_free_port(), pagerduty_port=_free_port(), state_dir=tmp_path)
    server = processes.pagerduty_server(target)
    server.pid_file.write_text("1")  # pid 1 is alive but is not the mock

    assert processes.running_pid(server) is None
    assert processes.stop(server) is False
