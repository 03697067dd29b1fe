"""A fresh emulator and mock PagerDuty per test session, with all three stacks deployed.

The session uses its own ports and state folder, so a demo left running on the default ports
is neither reused nor disturbed.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from enrollctl.workflow import LocalDeployment

SESSION_EMULATOR_PORT = os.environ.get("ENROLL_TEST_EMULATOR_PORT", "4666")
SESSION_PAGERDUTY_PORT = os.environ.get("ENROLL_TEST_PAGERDUTY_PORT", "4699")


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Start the servers, bootstrap and deploy; stop the servers when the session ends."""
    state_dir = tmp_path_factory.mktemp("local-state")
    os.environ["ENROLL_STATE_DIR"] = str(state_dir)
    os.environ["ENROLL_EMULATOR_PORT"] = SESSION_EMULATOR_PORT
    os.environ["ENROLL_PAGERDUTY_PORT"] = SESSION_PAGERDUTY_PORT
    os.environ.pop("ENROLL_ENDPOINT_URL", None)
    local = LocalDeployment()
    try:
        local.start_servers()
        local.bootstrap()
        local.deploy()
        yield local
    finally:
        stopped = local.stop_servers()
        print(f"stopped {stopped}; logs kept in {Path(state_dir)}")
