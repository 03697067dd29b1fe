"""Deterministic names derived from a contract, valid for Step Functions and Scheduler."""

import hashlib
import re

_UNSAFE = re.compile(r"[^0-9A-Za-z_.-]")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:10]


def immediate_execution_name(correlation_id: str) -> str:
    """Name the immediate execution of a request; it is also the id of the enrollment event it publishes."""
    return correlation_id.removeprefix("corr-")[:80]


def execution_name(contract_id: str, enrollment_id: str) -> str:
    """Name the eventual-actions execution of one enrollment attempt (at most 80 characters).

    ``enrollment_id`` is the enrollment event's id (the immediate execution's name). Step
    Functions keeps names unique per state machine, so a replayed stream record cannot start a
    second execution, while a retry after a failed and reversed attempt gets its own.
    """
    return f"{_UNSAFE.sub('_', contract_id)[:64]}-{_digest(contract_id, enrollment_id)}"


def hook_name(contract_id: str, index: int, action_name: str) -> str:
    """Name the schedule of a contract's action at ``index`` (at most 64 characters of [0-9A-Za-z_.-])."""
    readable = f"{_UNSAFE.sub('_', contract_id)[:28]}-{index:03d}-{_UNSAFE.sub('_', action_name)[:20]}"
    return f"{readable}-{_digest(contract_id, str(index), action_name)}"
