"""The open moderation report: per month, how many posts members reported, how many were held,
hidden and restored, for which reasons, and the median time to a decision. It names nobody.

Five grouped queries for the whole year, whatever the volume; the medians are taken in Python
over each month's decision times (one small number per decision).
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import AuditEvent, Flag, FlagReason, HoldReason, Review
from app.timeutil import LONDON, london_to_utc, utcnow

REPORT_MONTHS = 12
COUNTED = {
    "moderation.held": "held",
    "moderation.auto_hidden": "hidden_by_reports",
    "moderation.hidden": "hidden",
    "moderation.restored": "restored",
    "moderation.approved": "approved",
    "moderation.redacted": "redacted",
}


@dataclass
class Month:
    start: date
    flagged_posts: int = 0
    reports: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED.values(), 0))
    flag_reasons: dict[str, int] = field(default_factory=dict)
    hold_reasons: dict[str, int] = field(default_factory=dict)
    decisions: int = 0
    median_hours: float | None = None

    @property
    def label(self) -> str:
        return f"{self.start:%B %Y}"


def month_starts(today: date, months: int = REPORT_MONTHS) -> list[date]:
    """The first days of the last `months` months, oldest first, ending with today's month."""
    firsts = []
    year, month = today.year, today.month
    for _ in range(months):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(firsts))


def _bucket(column, bounds: list[datetime]):
    """A portable SQL month index for column (0 = the oldest month), by London month bounds."""
    return case(*[(column < bounds[i + 1], i) for i in range(len(bounds) - 1)], else_=None)


def monthly(today: date | None = None) -> list[Month]:
    """The open report: per month, reports and their reasons, holds and their reasons, hides,
    restores, approvals, and the median hours to a decision. No names. Five queries; the
    medians are taken in Python over each month's decision times (one number per decision)."""
    today = today or utcnow().astimezone(LONDON).date()
    starts = month_starts(today)
    following = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    bounds = [london_to_utc(day, time(0)) for day in [*starts, following]]
    months = [Month(start) for start in starts]
    window = (bounds[0], bounds[-1])

    flag_bucket = _bucket(Flag.created_at, bounds).label("bucket")
    for bucket, posts, reports in db.session.execute(
        select(flag_bucket, func.count(func.distinct(Flag.post_id)), func.count(Flag.id))
        .where(Flag.created_at >= window[0], Flag.created_at < window[1])
        .group_by(flag_bucket)
    ):
        months[bucket].flagged_posts, months[bucket].reports = posts, reports
    for bucket, reason, n in db.session.execute(
        select(flag_bucket, Flag.reason, func.count(Flag.id))
        .where(Flag.created_at >= window[0], Flag.created_at < window[1])
        .group_by(flag_bucket, Flag.reason)
    ):
        months[bucket].flag_reasons[FlagReason.LABELS.get(reason, reason)] = n

    event_bucket = _bucket(AuditEvent.created_at, bounds).label("bucket")
    for bucket, action, detail, n in db.session.execute(
        select(event_bucket, AuditEvent.action, AuditEvent.detail, func.count(AuditEvent.id))
        .where(
            AuditEvent.action.in_(list(COUNTED)),
            AuditEvent.created_at >= window[0],
            AuditEvent.created_at < window[1],
        )
        .group_by(event_bucket, AuditEvent.action, AuditEvent.detail)
    ):
        month = months[bucket]
        month.counts[COUNTED[action]] += n
        if action == "moderation.held":
            label = HoldReason.SHORT.get(detail, detail or "other")
            month.hold_reasons[label] = month.hold_reasons.get(label, 0) + n

    review_bucket = _bucket(Review.closed_at, bounds).label("bucket")
    waits: dict[int, list[int]] = defaultdict(list)
    for bucket, seconds in db.session.execute(
        select(review_bucket, Review.wait_seconds).where(
            Review.closed_at >= window[0],
            Review.closed_at < window[1],
            Review.wait_seconds.isnot(None),
        )
    ):
        waits[bucket].append(seconds)
    for bucket, seconds in waits.items():
        months[bucket].decisions = len(seconds)
        months[bucket].median_hours = round(statistics.median(seconds) / 3600, 1)
    return list(reversed(months))
