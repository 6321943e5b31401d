"""Time: stored in UTC, shown in Europe/London with the zone named, as the community writes it."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (every stored timestamp uses this)."""
    return datetime.now(UTC)


def to_london(moment: datetime) -> datetime:
    """Convert an aware datetime (naive ones are taken as UTC) to UK local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON)


def london_to_utc(day: date, clock: time) -> datetime:
    """Interpret a UK wall-clock date and time (as a facilitator types it) as a UTC instant.

    fold=0 picks the first of the two 01:00-02:00 hours in October, which is what people mean.
    """
    return datetime.combine(day, clock, tzinfo=LONDON).astimezone(UTC)


def format_day(moment: datetime) -> str:
    """'Thursday 24 February 2022'."""
    local = to_london(moment)
    return f"{local:%A} {local.day} {local:%B %Y}"


def format_time(moment: datetime) -> str:
    """'12:00 GMT' (or BST in summer)."""
    local = to_london(moment)
    return f"{local:%H:%M} {local.tzname()}"


def format_range(start: datetime, end: datetime) -> str:
    """'Thursday 24 February 2022, 12:00-13:30 GMT': the zone named once when both ends share it."""
    s, e = to_london(start), to_london(end)
    if s.date() == e.date():
        if s.tzname() == e.tzname():
            return f"{format_day(s)}, {s:%H:%M}-{e:%H:%M} {e.tzname()}"
        return f"{format_day(s)}, {s:%H:%M} {s.tzname()}-{e:%H:%M} {e.tzname()}"
    return f"{format_day(s)}, {format_time(s)} to {format_day(e)}, {format_time(e)}"


def format_datetime(moment: datetime) -> str:
    """'Thursday 24 February 2022, 12:00 GMT'."""
    return f"{format_day(moment)}, {format_time(moment)}"
