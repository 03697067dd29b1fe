"""Environment variables read at invocation time, with errors that name the variable."""

import os

from common.errors import ConfigurationError


def require_env(name: str) -> str:
    """Return the value of environment variable ``name`` or raise ConfigurationError."""
    value = os.environ.get(name, "")
    if not value:
        raise ConfigurationError(f"environment variable {name} is missing or empty")
    return value


def fault_injection_enabled() -> bool:
    """Return True when this deployment allows a request to make a step fail on purpose.

    Only the local environment sets ALLOW_FAULT_INJECTION; the CDK settings reject it elsewhere.
    """
    return os.environ.get("ALLOW_FAULT_INJECTION", "false") == "true"
