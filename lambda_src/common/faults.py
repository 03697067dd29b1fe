"""Local-only fault injection: a request may name one step that must fail."""

from typing import Any

from common.config import fault_injection_enabled
from common.errors import InjectedFaultError

STEPS = ("eligibility", "profile", "payments", "plan_actions", "schedule_hooks", "fulfil_action")


def raise_if_injected(event: dict[str, Any], step: str) -> None:
    """Raise InjectedFaultError when the event names ``step`` as the one to fail and faults are enabled."""
    if event.get("faultStep") == step and fault_injection_enabled():
        raise InjectedFaultError(f"fault injected at step {step!r} by local configuration")
