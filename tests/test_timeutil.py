"""Times are stored in UTC and shown as the community writes them, in UK time."""

from datetime import UTC, date, datetime, time

from app.timeutil import format_datetime, format_range, london_to_utc, to_london


def test_first_meeting_reads_as_the_announcement():
    start = london_to_utc(date(2022, 2, 24), time(12, 0))
    end = london_to_utc(date(2022, 2, 24), time(13, 30))
    assert start == datetime(2022, 2, 24, 12, 0, tzinfo=UTC)
    assert format_range(start, end) == "Thursday 24 February 2022, 12:00-13:30 GMT"


def test_summer_meetings_are_in_bst():
    start = london_to_utc(date(2026, 7, 2), time(12, 0))
    assert start == datetime(2026, 7, 2, 11, 0, tzinfo=UTC)
    end = london_to_utc(date(2026, 7, 2), time(13, 30))
    assert format_range(start, end) == "Thursday 2 July 2026, 12:00-13:30 BST"


def test_range_across_the_clock_change_names_both_zones():
    # Clocks go back at 02:00 BST on 25 October 2026.
    start = london_to_utc(date(2026, 10, 25), time(0, 30))
    end = datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
    assert format_range(start, end) == "Sunday 25 October 2026, 00:30 BST-03:00 GMT"


def test_naive_values_are_taken_as_utc():
    assert to_london(datetime(2022, 2, 24, 12, 0)).hour == 12
    assert (
        format_datetime(datetime(2022, 6, 1, 9, 0, tzinfo=UTC))
        == "Wednesday 1 June 2022, 10:00 BST"
    )
