"""Time limits counted in working days, as the monitoring procedures count them (domain §8.6: a lead is
to be accepted within 2 working days of its report).

Working days here are Monday to Friday in China's time (UTC+8, no daylight saving). The State Council's
yearly holiday calendar (and the weekend days it makes working days) is not applied: a limit that runs
over a public holiday falls due early, never late.
"""
from datetime import datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))


def due_after(start: datetime, working_days: int) -> datetime:
    """The end (24:00 China time) of the `working_days`-th working day after `start`'s day, as an aware
    datetime in China time. `start` must be aware; working_days >= 0 (0: the end of start's own day)."""
    day = start.astimezone(CHINA).replace(hour=0, minute=0, second=0, microsecond=0)
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day + timedelta(days=1)
