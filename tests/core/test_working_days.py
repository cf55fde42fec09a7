"""Time limits in working days (Monday to Friday, China time)."""
from datetime import datetime, timezone

from app.core.working_days import CHINA, due_after


def test_two_working_days_skip_the_weekend_in_china_time():
    tuesday = datetime(2026, 12, 1, 10, 0, tzinfo=CHINA)
    assert due_after(tuesday, 2) == datetime(2026, 12, 4, 0, 0, tzinfo=CHINA)      # end of Thursday
    friday = datetime(2026, 12, 4, 18, 0, tzinfo=CHINA)
    assert due_after(friday, 2) == datetime(2026, 12, 9, 0, 0, tzinfo=CHINA)       # end of Tuesday
    saturday = datetime(2026, 12, 5, 9, 0, tzinfo=CHINA)
    assert due_after(saturday, 1) == datetime(2026, 12, 8, 0, 0, tzinfo=CHINA)     # end of Monday
    # 17:00 UTC on Monday is already Tuesday in China.
    assert due_after(datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc), 0) == datetime(2026, 12, 2, 0, 0,
                                                                                       tzinfo=CHINA)
