"""Plan Actions step: split a contract's actions into immediate ones and hooks with fire times."""

import os
from datetime import datetime, time
from typing import Any

from common.faults import raise_if_injected
from common.fire_time import at_expression, fire_at
from common.naming import hook_name
from common.observability import logger


def _local_time() -> time:
    return time.fromisoformat(os.environ.get("HOOK_LOCAL_TIME", "09:00"))


def plan(event: dict[str, Any], *, zone: str, local_time: time) -> dict[str, Any]:
    """Return the immediate and eventual actions of an enrollment event, each with its hook name."""
    enrolled_at = datetime.fromisoformat(event["enrolledAt"])
    immediate: list[dict[str, Any]] = []
    eventual: list[dict[str, Any]] = []
    for index, action in enumerate(event["actions"]):
        base = {
            "contractId": event["contractId"],
            "accountId": event["accountId"],
            "action": action,
            "hookName": hook_name(event["contractId"], index, action["name"]),
        }
        if action["offset"] == 0:
            immediate.append({**base, "scheduledFor": event["enrolledAt"]})
            continue
        due = fire_at(enrolled_at, action["offset"], zone=zone, local_time=local_time)
        eventual.append({**base, "scheduledFor": due.isoformat(), "scheduleExpression": at_expression(due)})
    return {"immediate": immediate, "eventual": eventual}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Plan the actions of the enrollment event found under ``event``."""
    enrollment = event["event"]
    logger.append_keys(contract_id=enrollment["contractId"], correlation_id=enrollment.get("correlationId"))
    raise_if_injected(enrollment, "plan_actions")
    planned = plan(enrollment, zone=os.environ.get("BUSINESS_TIME_ZONE", "America/New_York"), local_time=_local_time())
    logger.info("actions_planned", immediate=len(planned["immediate"]), eventual=len(planned["eventual"]))
    return planned
