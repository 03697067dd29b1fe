"""fire_at and at_expression: calendar days in the business time zone, written as UTC.

Expected instants were worked out by hand from the America/New_York rules: EST is UTC-5,
EDT is UTC-4, and in 2026 EDT runs from 8 March 02:00 to 1 November 02:00 local time.
"""

import re
from datetime import UTC, datetime, time, timedelta, timezone

import pytest

from common.fire_time import at_expression, fire_at

ZONE = "America/New_York"
NINE = time(9, 0)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("enrolled_at", "offset", "expected"),
    [
        pytest.param("2026-12-01T15:00:00", 16, "2026-12-17T14:00:00", id="winter"),
        pytest.param("2026-07-01T15:00:00", 3, "2026-07-04T13:00:00", id="summer"),
        pytest.param("2026-03-07T15:00:00", 1, "2026-03-08T13:00:00", id="dst-start-day"),
        pytest.param("2026-03-01T15:00:00", 10, "2026-03-11T13:00:00", id="across-dst-start"),
        pytest.param("2026-10-31T14:00:00", 1, "2026-11-01T14:00:00", id="dst-end-day"),
        pytest.param("2026-10-25T14:00:00", 10, "2026-11-04T14:00:00", id="across-dst-end"),
        pytest.param("2028-02-28T15:00:00", 1, "2028-02-29T14:00:00", id="to-leap-day"),
        pytest.param("2028-02-29T15:00:00", 1, "2028-03-01T14:00:00", id="from-leap-day"),
        pytest.param("2028-02-29T15:00:00", 365, "2029-02-28T14:00:00", id="leap-day-plus-365"),
        pytest.param("2027-02-28T15:00:00", 1, "2027-03-01T14:00:00", id="non-leap-february"),
        pytest.param("2026-12-31T20:00:00", 1, "2027-01-01T14:00:00", id="year-end"),
        pytest.param("2026-12-01T15:00:00", 3650, "2036-11-28T14:00:00", id="max-offset"),
        # 23:59:59 EST on 30 November: the enrollment day is still 30 November locally.
        pytest.param("2026-12-01T04:59:59", 1, "2026-12-01T14:00:00", id="before-local-midnight"),
        # 00:00:00 EST on 1 December: the enrollment day is 1 December.
        pytest.param("2026-12-01T05:00:00", 1, "2026-12-02T14:00:00", id="after-local-midnight"),
        # 20:30 EDT on 1 July is already 2 July in UTC, but the local date counts.
        pytest.param("2026-07-02T00:30:00", 1, "2026-07-02T13:00:00", id="utc-date-ahead"),
    ],
)
def test_fire_at_table(enrolled_at, offset, expected):
    assert fire_at(_utc(enrolled_at), offset, zone=ZONE, local_time=NINE) == _utc(expected)


def test_fire_at_returns_utc():
    due = fire_at(_utc("2026-12-01T15:00:00"), 1, zone=ZONE, local_time=NINE)

    assert due.utcoffset() == timedelta(0)


def test_fire_at_accepts_any_offset():
    enrolled = datetime(2026, 11, 30, 23, 30, tzinfo=timezone(timedelta(hours=-5)))

    assert fire_at(enrolled, 1, zone=ZONE, local_time=NINE) == _utc("2026-12-01T14:00:00")


def test_fire_at_other_zone():
    due = fire_at(_utc("2026-12-01T15:00:00"), 2, zone="Europe/Berlin", local_time=time(8, 30))

    assert due == _utc("2026-12-03T07:30:00")


def test_fire_at_nonexistent_local_time():
    # 02:30 does not exist on 8 March 2026. With fold=0 it is read with the EST offset (03:30 EDT).
    due = fire_at(_utc("2026-03-07T15:00:00"), 1, zone=ZONE, local_time=time(2, 30))

    assert due == _utc("2026-03-08T07:30:00")


def test_fire_at_ambiguous_local_time():
    # 01:30 happens twice on 1 November 2026; the first occurrence (EDT) is used.
    due = fire_at(_utc("2026-10-31T14:00:00"), 1, zone=ZONE, local_time=time(1, 30))

    assert due == _utc("2026-11-01T05:30:00")


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
