"""fire_at and at_expression: calendar days in the business time zone, written as UTC.

Expected instants were worked out by hand from the America/New_York rules: EST is UTC-5,
EDT is UTC-4, EDT runs from 8 March 02:00 to 1 November 02:00 local time in 2026, and from
12 March to 5 November in 2028. An enrollment after 09:00 local time anchors on the next day.
"""

import re
from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from common.fire_time import at_expression, fire_at

ZONE = "America/New_York"
NINE = time(9, 0)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("enrolled_at", "offset", "expected"),
    [
        # 08:30 EST: at or before 09:00, so the enrollment day is the anchor.
        pytest.param("2026-12-01T13:30:00", 16, "2026-12-17T14:00:00", id="winter-before-nine"),
        # 10:00 EST: after 09:00, so the next day is the anchor.
        pytest.param("2026-12-01T15:00:00", 16, "2026-12-18T14:00:00", id="winter-after-nine"),
        pytest.param("2026-12-01T14:00:00", 1, "2026-12-02T14:00:00", id="exactly-nine"),
        pytest.param("2026-12-01T14:00:01", 1, "2026-12-03T14:00:00", id="one-second-after-nine"),
        pytest.param("2026-07-01T12:00:00", 3, "2026-07-04T13:00:00", id="summer-before-nine"),
        pytest.param("2026-07-01T13:00:01", 3, "2026-07-05T13:00:00", id="summer-after-nine"),
        # 08:00 EST on 7 March, and the hook fires at 09:00 EDT, 23 hours later.
        pytest.param("2026-03-07T13:00:00", 1, "2026-03-08T13:00:00", id="dst-start-day"),
        # 10:00 EST on 6 March anchors on 7 March and fires on the first EDT day.
        pytest.param("2026-03-06T15:00:00", 1, "2026-03-08T13:00:00", id="dst-start-after-nine"),
        pytest.param("2026-03-01T13:00:00", 10, "2026-03-11T13:00:00", id="across-dst-start"),
        # 08:00 EDT on 31 October, and the hook fires at 09:00 EST, 26 hours later.
        pytest.param("2026-10-31T12:00:00", 1, "2026-11-01T14:00:00", id="dst-end-day"),
        pytest.param("2026-10-30T14:00:00", 1, "2026-11-01T14:00:00", id="dst-end-after-nine"),
        pytest.param("2026-10-25T12:00:00", 10, "2026-11-04T14:00:00", id="across-dst-end"),
        pytest.param("2028-02-28T13:00:00", 1, "2028-02-29T14:00:00", id="to-leap-day"),
        pytest.param("2028-02-28T15:00:00", 1, "2028-03-01T14:00:00", id="leap-day-anchor-after-nine"),
        pytest.param("2028-02-29T13:00:00", 1, "2028-03-01T14:00:00", id="from-leap-day"),
        pytest.param("2028-02-29T13:00:00", 365, "2029-02-28T14:00:00", id="leap-day-plus-365"),
        pytest.param("2027-02-28T13:00:00", 1, "2027-03-01T14:00:00", id="non-leap-february"),
        pytest.param("2026-12-31T13:00:00", 1, "2027-01-01T14:00:00", id="year-end-before-nine"),
        # 15:00 EST on 31 December anchors on 1 January.
        pytest.param("2026-12-31T20:00:00", 1, "2027-01-02T14:00:00", id="year-end-after-nine"),
        pytest.param("2026-12-31T13:00:00", 365, "2027-12-31T14:00:00", id="year-end-plus-365"),
        pytest.param("2026-12-01T13:00:00", 3650, "2036-11-28T14:00:00", id="max-offset"),
        pytest.param("2026-12-01T15:00:00", 3650, "2036-11-29T14:00:00", id="max-offset-after-nine"),
        # 23:59:59 EST on 30 November: after 09:00 on 30 November, so 1 December is the anchor.
        pytest.param("2026-12-01T04:59:59", 1, "2026-12-02T14:00:00", id="before-local-midnight"),
        # 00:00:00 EST on 1 December: before 09:00 on 1 December, so 1 December is the anchor.
        pytest.param("2026-12-01T05:00:00", 1, "2026-12-02T14:00:00", id="after-local-midnight"),
        # 23:59:59 EDT on 30 June and 00:00:00 EDT on 1 July, in summer time.
        pytest.param("2026-07-01T03:59:59", 1, "2026-07-02T13:00:00", id="before-local-midnight-summer"),
        pytest.param("2026-07-01T04:00:00", 1, "2026-07-02T13:00:00", id="after-local-midnight-summer"),
        # 20:30 EDT on 1 July is already 2 July in UTC, but the local date and time count.
        pytest.param("2026-07-02T00:30:00", 1, "2026-07-03T13:00:00", id="utc-date-ahead"),
    ],
)
def test_fire_at_table(enrolled_at, offset, expected):
    due = fire_at(_utc(enrolled_at), offset, zone=ZONE, local_time=NINE)

    assert due == _utc(expected)
    assert at_expression(due) == f"at({expected})"


def _enrollment_instants() -> list[datetime]:
    # Every 37 minutes through 2026 and 2028, so minutes, both DST changes and 29 February vary.
    start = _utc("2026-01-01T00:00:00")
    instants = []
    for year_start in (start, _utc("2028-01-01T00:00:00")):
        instant = year_start
        while instant < year_start + timedelta(days=366):
            instants.append(instant)
            instant += timedelta(minutes=37)
    return instants


@pytest.mark.parametrize("offset", [1, 2, 7, 30, 365, 3650])
def test_fire_at_never_early(offset):
    for enrolled_at in _enrollment_instants():
        due = fire_at(enrolled_at, offset, zone=ZONE, local_time=NINE)
        elapsed = due - enrolled_at
        # A spring-forward change takes at most one hour from N calendar days.
        assert elapsed >= timedelta(days=offset, hours=-1), (enrolled_at, due)
        assert elapsed <= timedelta(days=offset + 1, hours=1), (enrolled_at, due)
        assert due.astimezone(ZoneInfo(ZONE)).time() == NINE, (enrolled_at, due)


def test_fire_at_returns_utc():
    due = fire_at(_utc("2026-12-01T13:00:00"), 1, zone=ZONE, local_time=NINE)

    assert due.utcoffset() == timedelta(0)


def test_fire_at_accepts_any_offset():
    enrolled = datetime(2026, 11, 30, 8, 30, tzinfo=timezone(timedelta(hours=-5)))

    assert fire_at(enrolled, 1, zone=ZONE, local_time=NINE) == _utc("2026-12-01T14:00:00")


def test_fire_at_other_zone():
    # 08:00 in Berlin (CET) is before 08:30, so the enrollment day is the anchor.
    due = fire_at(_utc("2026-12-01T07:00:00"), 2, zone="Europe/Berlin", local_time=time(8, 30))

    assert due == _utc("2026-12-03T07:30:00")


def test_fire_at_other_local_time():
    # 17:00 EST is before the configured 18:00, so 1 December is the anchor.
    due = fire_at(_utc("2026-12-01T22:00:00"), 1, zone=ZONE, local_time=time(18, 0))

    assert due == _utc("2026-12-02T23:00:00")


def test_fire_at_nonexistent_local_time():
    # 02:30 does not exist on 8 March 2026. With fold=0 it is read with the EST offset (03:30 EDT).
    due = fire_at(_utc("2026-03-07T05:00:00"), 1, zone=ZONE, local_time=time(2, 30))

    assert due == _utc("2026-03-08T07:30:00")


def test_fire_at_ambiguous_local_time():
    # 01:30 happens twice on 1 November 2026; the first occurrence (EDT) is used.
    due = fire_at(_utc("2026-10-31T04:00:00"), 1, zone=ZONE, local_time=time(1, 30))

    assert due == _utc("2026-11-01T05:30:00")


def test_fire_at_rejects_naive_time():
    with pytest.raises(ValueError, match="has no time zone"):
        fire_at(datetime(2026, 12, 1, 9, 0), 1, zone=ZONE, local_time=NINE)


@pytest.mark.parametrize("offset", [0, -1])
def test_fire_at_rejects_offset(offset):
    with pytest.raises(ValueError, match=f"offset {offset} is fired at once"):
        fire_at(_utc("2026-12-01T15:00:00"), offset, zone=ZONE, local_time=NINE)


def test_at_expression_format():
    assert at_expression(_utc("2026-12-17T14:00:00")) == "at(2026-12-17T14:00:00)"


def test_at_expression_converts_to_utc():
    instant = datetime(2026, 12, 17, 9, 0, tzinfo=timezone(timedelta(hours=-5)))

    assert at_expression(instant) == "at(2026-12-17T14:00:00)"


def test_at_expression_drops_microseconds():
    expression = at_expression(datetime(2026, 12, 17, 14, 0, 5, 999_999, tzinfo=UTC))

    assert expression == "at(2026-12-17T14:00:05)"
    assert re.fullmatch(r"at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)", expression)
