"""Fire instants of eventual actions: offset N fires N calendar days after the anchor day.

The anchor day is the enrollment date in the business time zone when the enrollment happens at
or before the configured time of day (default 09:00), and the next day when it happens after
it. So an offset-1 action enrolled at 08:30 fires the next day at 09:00, and one enrolled at
09:01 fires two days later at 09:00. No hook fires less than N days minus one hour after
enrollment (the hour lost when a daylight-saving change lies in between).

The instant is converted to UTC, because Scheduler is given ``at()`` in UTC (the local emulator
ignores any other zone).
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def fire_at(enrolled_at: datetime, offset_days: int, *, zone: str, local_time: time) -> datetime:
    """Return the UTC instant at which an action with ``offset_days`` > 0 comes due."""
    if enrolled_at.tzinfo is None:
        raise ValueError(f"enrollment time {enrolled_at.isoformat()} has no time zone")
    if offset_days <= 0:
        raise ValueError(f"offset {offset_days} is fired at once, not scheduled")
    business_zone = ZoneInfo(zone)
    local_enrollment = enrolled_at.astimezone(business_zone)
    anchor_day = local_enrollment.date()
    if local_enrollment.time() > local_time:
        anchor_day += timedelta(days=1)
    due_day = anchor_day + timedelta(days=offset_days)
    # Combining a wall-clock time with the zone resolves DST per date; fold=0 picks the first
    # occurrence of an ambiguous time.
    local = datetime.combine(due_day, local_time, tzinfo=business_zone)
    return local.astimezone(UTC)


def at_expression(instant: datetime) -> str:
    """Format an instant as a Scheduler one-time expression in UTC."""
    if instant.tzinfo is None:
        raise ValueError(f"instant {instant.isoformat()} has no time zone")
    return f"at({instant.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})"
