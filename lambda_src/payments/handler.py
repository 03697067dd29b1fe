"""Set Up Payments step: turn the contract draft into a payment plan at the payments destination."""

from decimal import Decimal
from typing import Any

from common.faults import raise_if_injected
from common.observability import logger
from common.payments import PaymentPlan, configured_destination


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Register the payment plan and return its id, destination and status."""
    contract = event["contract"]
    draft = contract["contractDraft"]
    logger.append_keys(contract_id=contract["contractId"], correlation_id=event.get("correlationId"))
    raise_if_injected(event, "payments")
    plan = PaymentPlan(
        contract_id=contract["contractId"],
        account_id=contract["accountId"],
        currency=draft["currency"],
        balance=Decimal(draft["balance"]),
        monthly_payment=Decimal(draft["monthlyPayment"]),
        term_months=int(draft["termMonths"]),
        first_payment_date=draft["firstPaymentDate"],
    )
    destination = configured_destination()
    status = destination.set_up(plan)
    logger.info("payments_set_up", plan_id=plan.plan_id, destination=destination.name)
    return {
        "planId": plan.plan_id,
        "destination": destination.name,
        "status": status,
        "monthlyPayment": str(plan.monthly_payment),
        "currency": plan.currency,
        "termMonths": plan.term_months,
        "firstPaymentDate": plan.first_payment_date,
    }
