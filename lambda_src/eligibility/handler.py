"""Check Eligibility step: ask the rules engine whether the contract may be enrolled."""

import os
from functools import cache
from typing import Any

from common.faults import raise_if_injected
from common.observability import logger
from eligibility.ruleset import evaluate, load_ruleset


@cache
def _ruleset() -> dict[str, Any]:
    return load_ruleset(os.environ.get("RULESET_NAME", "contract-eligibility"))


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Return ``eligible`` (a JSON boolean), the reasons of any failed rule and the ruleset version."""
    contract = event["contract"]
    logger.append_keys(contract_id=contract["contractId"], correlation_id=event.get("correlationId"))
    raise_if_injected(event, "eligibility")
    decision = evaluate(_ruleset(), contract)
    logger.info(
        "eligibility_decided",
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
