"""hook_name and execution_name: valid, bounded, distinct and stable for any contract."""

import re

import pytest

from common.models import MAX_ACTIONS
from common.naming import execution_name, hook_name, immediate_execution_name

# EventBridge Scheduler schedule names: 1 to 64 characters of [0-9A-Za-z_.-].
SCHEDULE_NAME = re.compile(r"[0-9A-Za-z_.-]{1,64}")
# Step Functions execution names: 1 to 80 characters. This project uses only [0-9A-Za-z_.-].
EXECUTION_NAME = re.compile(r"[0-9A-Za-z_.-]{1,80}")

NASTY_CONTRACT_IDS = [
    "C-2026-000123",
    "",
    "C/2026 000123",
    "C:2026#000123?x=1&y=2",
    "contract-é-ü-ß",
    "契約-2026",
    "C-🙂-1",
    "C\n1\t2\x00",
    "../../etc/passwd",
    "C" * 300,
    "-" * 80,
]
NASTY_ACTION_NAMES = ["rateChange", "", "rate change", "a/b*c", "ä" * 50, "x" * 200]


@pytest.mark.parametrize("contract_id", NASTY_CONTRACT_IDS)
@pytest.mark.parametrize("action_name", NASTY_ACTION_NAMES)
def test_hook_name_valid(contract_id, action_name):
    for index in (0, 9, MAX_ACTIONS - 1):
        name = hook_name(contract_id, index, action_name)

        assert len(name) <= 64, name
        assert SCHEDULE_NAME.fullmatch(name), name


def test_hook_name_readable():
    name = hook_name("C-2026-000123", 2, "action2")

    assert name.startswith("C-2026-000123-002-action2-")


def test_hook_name_differs_by_index():
    names = {hook_name("C-2026-000123", index, "action1") for index in range(MAX_ACTIONS)}

    assert len(names) == MAX_ACTIONS


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(("C/1", 0, "action1"), ("C_1", 0, "action1"), id="contract-sanitized-alike"),
        pytest.param(("C" * 40 + "A", 0, "action1"), ("C" * 40 + "B", 0, "action1"), id="contract-truncated-alike"),
        pytest.param(("C1", 0, "rate change"), ("C1", 0, "rate_change"), id="action-sanitized-alike"),
        pytest.param(("C1", 0, "x" * 30 + "A"), ("C1", 0, "x" * 30 + "B"), id="action-truncated-alike"),
    ],
)
def test_hook_name_distinct(first, second):
    assert hook_name(*first) != hook_name(*second)


def test_hook_name_deterministic():
    assert hook_name("C/2026 000123", 7, "rate change") == hook_name("C/2026 000123", 7, "rate change")


ENROLLMENT_ID = "0b7e3a52-5d1c-4a0e-9f43-6a2f1d3c9b10"


@pytest.mark.parametrize("contract_id", NASTY_CONTRACT_IDS)
def test_execution_name_valid(contract_id):
    name = execution_name(contract_id, ENROLLMENT_ID)

    assert len(name) <= 80
    assert EXECUTION_NAME.fullmatch(name), name


@pytest.mark.parametrize(
    ("first", "second"),
    [("C/1", "C_1"), ("C 1", "C_1"), ("C" * 64 + "A", "C" * 64 + "B")],
    ids=["slash", "space", "truncated"],
)
def test_execution_name_distinct(first, second):
    assert execution_name(first, ENROLLMENT_ID) != execution_name(second, ENROLLMENT_ID)


def test_execution_name_distinct_per_enrollment_attempt():
    # A retry after a failed, reversed attempt publishes a new event and needs its own execution.
    assert execution_name("C-2026-000123", ENROLLMENT_ID) != execution_name("C-2026-000123", "other-attempt")


def test_execution_name_deterministic():
    assert execution_name("C-2026-000123", ENROLLMENT_ID) == execution_name("C-2026-000123", ENROLLMENT_ID)
    assert execution_name("C-2026-000123", ENROLLMENT_ID).startswith("C-2026-000123-")


def test_immediate_execution_name_drops_prefix_and_fits():
    assert immediate_execution_name("corr-1234") == "1234"
    assert len(immediate_execution_name("corr-" + "x" * 200)) == 80
