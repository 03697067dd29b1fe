"""Local-only fault injection: a request may name one step that must fail."""

from typing import Any

from common.config import fault_injection_enabled
from common.errors import InjectedFaultError

# Steps of the immediate workflow, in order. "publish" and "audit" are not Lambda functions, so
# the state machine itself routes to the failure path when one of them is named.
IMMEDIATE_STEPS = ("eligibility", "profile", "payments", "publish", "audit")
EVENTUAL_STEPS = ("plan_actions", "schedule_hooks", "fulfil_action")
STEPS = IMMEDIATE_STEPS + EVENTUAL_STEPS


def raise_if_injected(event: dict[str, Any], step: str) -> None:
    """Raise InjectedFaultError when the event names ``step`` as the one to fail and faults are enabled."""
    if event.get("faultStep") == step and fault_injection_enabled():
        raise InjectedFaultError(f"fault injected at step {step!r} by local configuration")
