"""plan(): offset-0 actions are fulfilled at once, later ones become hooks with fire times."""

from datetime import time
from typing import Any

import pytest

from common.models import parse_contract
from common.naming import hook_name
from plan_actions.handler import plan
from tests.events import load_event

ZONE = "America/New_York"
NINE = time(9, 0)
# 08:00 EST, before the 09:00 fire time, so 1 December is the anchor day.
ENROLLED_AT = "2026-12-01T13:00:00+00:00"


def _enrollment_event(actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    contract = parse_contract(load_event("contract-offer")).model_dump(mode="json")
    return {
        "eventType": "EnrollmentConfirmed",
        "contractId": contract["contractId"],
        "accountId": contract["accountId"],
        "enrolledAt": ENROLLED_AT,
        "actions": contract["actions"] if actions is None else actions,
    }


def test_plan_splits_by_offset():
    planned = plan(_enrollment_event(), zone=ZONE, local_time=NINE)

    assert [item["action"]["name"] for item in planned["immediate"]] == ["action2"]
    assert [item["action"]["name"] for item in planned["eventual"]] == ["rateChange", "action1", "action100"]


def test_plan_immediate_fires_at_enrollment():
    immediate = plan(_enrollment_event(), zone=ZONE, local_time=NINE)["immediate"][0]

    assert immediate["scheduledFor"] == ENROLLED_AT
    assert "scheduleExpression" not in immediate
    assert immediate["contractId"] == "C-2026-000123"
    assert immediate["accountId"] == "ACCT-0001"


def test_plan_eventual_fire_times():
    eventual = plan(_enrollment_event(), zone=ZONE, local_time=NINE)["eventual"]

    # 09:00 EST is 14:00 UTC, on 1 December plus 16, 3 and 1 days.
    assert [item["scheduledFor"] for item in eventual] == [
        "2026-12-17T14:00:00+00:00",
        "2026-12-04T14:00:00+00:00",
        "2026-12-02T14:00:00+00:00",
    ]
    assert [item["scheduleExpression"] for item in eventual] == [
        "at(2026-12-17T14:00:00)",
        "at(2026-12-04T14:00:00)",
        "at(2026-12-02T14:00:00)",
    ]


def test_plan_hook_names_use_position():
    event = _enrollment_event()
    planned = plan(event, zone=ZONE, local_time=NINE)

    assert planned["immediate"][0]["hookName"] == hook_name(event["contractId"], 2, "action2")
    assert [item["hookName"] for item in planned["eventual"]] == [
        hook_name(event["contractId"], 0, "rateChange"),
        hook_name(event["contractId"], 1, "action1"),
        hook_name(event["contractId"], 3, "action100"),
    ]


def test_plan_keeps_action_data():
    eventual = plan(_enrollment_event(), zone=ZONE, local_time=NINE)["eventual"]

    assert eventual[0]["action"] == {"name": "rateChange", "offset": 16, "otherData": {"newRate": "0.0"}}


def test_plan_same_action_twice():
    actions = [{"name": "action1", "offset": 5, "otherData": {}}] * 2

    eventual = plan(_enrollment_event(actions), zone=ZONE, local_time=NINE)["eventual"]

    assert len({item["hookName"] for item in eventual}) == 2


@pytest.mark.parametrize(
    ("offsets", "immediate_count", "eventual_count"),
    [([0, 0], 2, 0), ([1, 3650], 0, 2), ([], 0, 0)],
    ids=["only-immediate", "only-eventual", "none"],
)
def test_plan_counts(offsets, immediate_count, eventual_count):
    actions = [{"name": "action1", "offset": offset, "otherData": {}} for offset in offsets]

    planned = plan(_enrollment_event(actions), zone=ZONE, local_time=NINE)

    assert len(planned["immediate"]) == immediate_count
    assert len(planned["eventual"]) == eventual_count


def test_plan_late_enrollment_anchors_next_day():
    event = _enrollment_event([{"name": "action1", "offset": 1, "otherData": {}}])
    # 23:30 EST on 30 November, after 09:00, so 1 December is the anchor day.
    event["enrolledAt"] = "2026-12-01T04:30:00+00:00"

    eventual = plan(event, zone=ZONE, local_time=NINE)["eventual"]

    assert eventual[0]["scheduledFor"] == "2026-12-02T14:00:00+00:00"
