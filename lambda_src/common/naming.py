"""Deterministic names derived from a contract, valid for Step Functions and Scheduler."""

import hashlib
import re

_UNSAFE = re.compile(r"[^0-9A-Za-z_.-]")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:10]


def execution_name(contract_id: str) -> str:
    """Name the eventual-actions execution of a contract (at most 80 characters).

    Step Functions keeps names unique per state machine, so a replayed stream record for the
    same contract cannot start a second execution.
    """
    return f"{_UNSAFE.sub('_', contract_id)[:64]}-{_digest(contract_id)}"


def hook_name(contract_id: str, index: int, action_name: str) -> str:
    """Name the schedule of a contract's action at ``index`` (at most 64 characters of [0-9A-Za-z_.-])."""
    readable = f"{_UNSAFE.sub('_', contract_id)[:28]}-{index:03d}-{_UNSAFE.sub('_', action_name)[:20]}"
    return f"{readable}-{_digest(contract_id, str(index), action_name)}"
