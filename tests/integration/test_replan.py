"""enrollctl replan: run a failed eventual workflow again, and only a failed one."""

from typing import Any

import pytest

from enrollctl import replan
from enrollctl.report import hooks as hook_records
from enrollctl.report import stream_events
from tests.integration.helpers import eventual_outcome, sample

pytestmark = pytest.mark.integration


def test_replan_after_failed_schedule_hooks(deployment: Any) -> None:
    contract = sample("contract-offer")
    clients, resources = deployment.clients, deployment.resources
    assert deployment.submit(contract, fault_step="schedule_hooks").status == 200
    assert eventual_outcome(deployment, contract["contractId"], timeout=90) == "FAILED"
    assert all(int(record["offset"]) == 0 for record in hook_records(clients, resources, contract["contractId"]))

    attempt = replan.replan(clients, resources, contract["contractId"])

    assert attempt.number == 1
    assert eventual_outcome(deployment, contract["contractId"], timeout=90) == "SUCCEEDED"
    records = hook_records(clients, resources, contract["contractId"])
    assert len(records) == len(contract["actions"])
    assert sorted(record["status"] for record in records if int(record["offset"]) > 0) == ["PENDING"] * 3
    events = stream_events(clients, resources, contract["contractId"])
    fulfilled = [event for event in events if event["eventType"] == "ActionFulfilled"]
    assert len(fulfilled) == 1, "the offset-0 action ran once, not again on the second attempt"
    with pytest.raises(replan.ReplanError, match="is SUCCEEDED; only a failed run is replanned"):
        replan.replan(clients, resources, contract["contractId"])


def test_replan_not_eligible_rejected(deployment: Any) -> None:
    contract = sample("contract-not-eligible")
    assert deployment.submit(contract).status == 200

    with pytest.raises(replan.ReplanError, match="was not enrolled"):
        replan.replan(deployment.clients, deployment.resources, contract["contractId"])


def test_replan_unknown_contract_rejected(deployment: Any) -> None:
    with pytest.raises(replan.ReplanError, match="has no completed enrollment"):
        replan.replan(deployment.clients, deployment.resources, sample("contract-offer")["contractId"])
