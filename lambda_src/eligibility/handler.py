"""Check Eligibility step: ask the rules engine whether the contract may be enrolled.

RULES_ENGINE_MODE selects the rules engine: ``local`` (the default) evaluates the ruleset named by
RULESET_NAME in process, and ``http`` calls the remote engine at RULES_ENGINE_URL. In http mode,
RULES_ENGINE_TIMEOUT_SECONDS sets the timeout of each attempt (default 2) and
RULES_ENGINE_MAX_ATTEMPTS the number of attempts (default 3, at most 5).
"""

import os
from functools import cache
from typing import Any

from common.config import require_env
from common.errors import ConfigurationError
from common.faults import raise_if_injected
from common.observability import logger
from eligibility.rules_engine import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_TIMEOUT_SECONDS,
    HttpRulesEngine,
    HttpRulesEngineSettings,
    LocalRulesEngine,
    RulesEngine,
)
from eligibility.ruleset import load_ruleset

RULES_ENGINE_MODES = ("local", "http")


@cache
def _ruleset() -> dict[str, Any]:
    return load_ruleset(os.environ.get("RULESET_NAME", "contract-eligibility"))


def _env_number[Number: (int, float)](name: str, default: Number, kind: type[Number]) -> Number:
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        return kind(value)
    except ValueError:
        expected = "an integer" if kind is int else "a number of seconds"
        raise ConfigurationError(f"environment variable {name} must be {expected}, got {value!r}") from None


def _rules_engine(mode: str) -> RulesEngine:
    """Build the rules engine for ``mode`` from environment variables, which are read on every invocation."""
    if mode == "local":
        return LocalRulesEngine(_ruleset())
    if mode == "http":
        settings = HttpRulesEngineSettings(
            url=require_env("RULES_ENGINE_URL"),
            timeout_seconds=_env_number("RULES_ENGINE_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS, float),
            max_attempts=_env_number("RULES_ENGINE_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS, int),
        )
        return HttpRulesEngine(settings)
    raise ConfigurationError(
        f"environment variable RULES_ENGINE_MODE must be one of {', '.join(RULES_ENGINE_MODES)}, got {mode!r}"
    )


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Return ``eligible`` (a JSON boolean), the reasons of any failed rule and the ruleset version."""
    contract = event["contract"]
    correlation_id = event.get("correlationId")
    logger.append_keys(contract_id=contract["contractId"], correlation_id=correlation_id)
    raise_if_injected(event, "eligibility")
    mode = os.environ.get("RULES_ENGINE_MODE") or "local"
    decision = _rules_engine(mode).decide(contract, correlation_id)
    logger.info(
        "eligibility_decided",
        rules_engine=mode,
        eligible=decision.eligible,
        failed_rules=decision.failed_rules,
        ruleset_version=decision.ruleset_version,
    )
    return {
        "eligible": decision.eligible,
        "reasons": decision.reasons,
        "failedRules": decision.failed_rules,
        "rulesetVersion": decision.ruleset_version,
    }
