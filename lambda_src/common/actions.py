"""Action registry: each action name a contract may carry, mapped to the handler that fulfils it.

Intake rejects names that are not registered, so a contract can never schedule a hook that no
handler can fulfil.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from common.aws import table
from common.config import require_env
from common.errors import UnknownActionError

ActionHandler = Callable[["ActionContext"], dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class ActionContext:
    """Everything a handler needs to fulfil one action of one contract."""

    contract_id: str
    account_id: str
    name: str
    offset: int
    other_data: dict[str, Any]
    hook_name: str


# ASCII digits and a whole-string match: \d and $ would accept other scripts' digits and a final newline.
RATE_PATTERN = re.compile(r"(0|1)(\.[0-9]{1,6})?")


def check_other_data(name: str, other_data: dict[str, Any]) -> None:
    """Raise ValueError when ``other_data`` does not suit action ``name``.

    Intake calls this, so a hook that fires years later never meets data it cannot use.
    """
    if name == "rateChange":
        new_rate = other_data.get("newRate")
        if not (isinstance(new_rate, str) and RATE_PATTERN.fullmatch(new_rate) and Decimal(new_rate) <= 1):
            raise ValueError("rateChange needs otherData.newRate as a decimal string from 0 to 1, e.g. '0.045'")


def _change_rate(context: ActionContext) -> dict[str, Any]:
    check_other_data("rateChange", context.other_data)
    new_rate = context.other_data["newRate"]
    table(require_env("PROFILE_TABLE_NAME")).update_item(
        Key={"accountId": context.account_id},
        UpdateExpression="SET interestRate = :rate, rateChangedAt = :now",
        ExpressionAttributeValues={":rate": new_rate, ":now": datetime.now(UTC).isoformat()},
    )
    return {"interestRate": new_rate}


def _record_only(context: ActionContext) -> dict[str, Any]:
    # These actions have no side effect of their own yet: their fulfilment record is the result.
    return {"recorded": context.name}


REGISTRY: dict[str, ActionHandler] = {
    "rateChange": _change_rate,
    "action1": _record_only,
    "action2": _record_only,
    "action100": _record_only,
    "sendWelcomeLetter": _record_only,
    "paymentReminder": _record_only,
}


def handler_for(name: str) -> ActionHandler:
    """Return the handler registered for action ``name`` or raise UnknownActionError."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownActionError(f"action {name!r} has no registered handler") from None
