"""Destinations of payment set-ups. The final destination is not decided yet, so the workflow talks to
one small interface; the local default records plans in a DynamoDB ledger table.

Set-up and cancellation are both idempotent: the workflow may retry either, and compensation
cancels only the plan this contract set up.
"""

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

from botocore.exceptions import ClientError

from common.aws import table
from common.config import require_env
from common.errors import ConfigurationError


@dataclass(frozen=True, kw_only=True)
class PaymentPlan:
    """A payment set-up derived from the contract draft."""

    contract_id: str
    account_id: str
    currency: str
    balance: Decimal
    monthly_payment: Decimal
    term_months: int
    first_payment_date: str

    @property
    def plan_id(self) -> str:
        return f"plan-{self.contract_id}"


class PaymentsDestination(Protocol):
    """A system that accepts payment set-ups."""

    name: str

    def set_up(self, plan: PaymentPlan) -> str:
        """Register ``plan`` and return its status at the destination."""
        ...

    def cancel(self, *, contract_id: str, plan_id: str, reason: str) -> bool:
        """Cancel the plan ``plan_id`` of ``contract_id``; return False when there was none to cancel."""
        ...


class LedgerDestination:
    """Records payment plans in the payments table (the local default)."""

    name = "ledger"

    def __init__(self, table_name: str) -> None:
        self._table_name = table_name

    def set_up(self, plan: PaymentPlan) -> str:
        table(self._table_name).put_item(
            Item={
                "contractId": plan.contract_id,
                "planId": plan.plan_id,
                "accountId": plan.account_id,
                "currency": plan.currency,
                "balance": str(plan.balance),
                "monthlyPayment": str(plan.monthly_payment),
                "termMonths": plan.term_months,
                "firstPaymentDate": plan.first_payment_date,
                "status": "ACTIVE",
            }
        )
        return "ACTIVE"

    def cancel(self, *, contract_id: str, plan_id: str, reason: str) -> bool:
        try:
            table(self._table_name).update_item(
                Key={"contractId": contract_id},
                UpdateExpression="SET #status = :cancelled, cancelledAt = :now, cancelReason = :reason",
                ConditionExpression="planId = :plan",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":cancelled": "CANCELLED",
                    ":now": datetime.now(UTC).isoformat(),
                    ":reason": reason,
                    ":plan": plan_id,
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True


def configured_destination() -> PaymentsDestination:
    """Build the destination named by PAYMENTS_DESTINATION (default ``ledger``)."""
    name = os.environ.get("PAYMENTS_DESTINATION", "ledger")
    if name == "ledger":
        return LedgerDestination(require_env("PAYMENTS_TABLE_NAME"))
    raise ConfigurationError(f"PAYMENTS_DESTINATION {name!r} is not supported; use 'ledger'")
