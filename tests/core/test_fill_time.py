"""The signed render stamp behind the self-report page's minimum fill time."""
from app.core.fill_time import parse_stamp, render_stamp, seconds_taken

KEY = "a key"


def test_a_stamp_tells_how_long_ago_it_was_signed_for_its_link_only():
    stamp = render_stamp(KEY, 7, 1_000)
    assert seconds_taken(KEY, 7, stamp, 1_045) == 45
    assert seconds_taken(KEY, 8, stamp, 1_045) is None                  # another link's
    assert seconds_taken("another key", 7, stamp, 1_045) is None
    assert seconds_taken(KEY, 7, stamp, 999) is None                    # from the future


def test_anything_else_is_no_stamp():
    good = render_stamp(KEY, 7, 1_000)
    for forged in ("", "1000", "1000.", ".abc", "999." + good.split(".")[1], "１０００." + good.split(".")[1],
                   "9" * 40 + ".00", good + "0", None):
        assert seconds_taken(KEY, 7, forged, 2_000) is None, forged


def test_a_stamp_is_read_only_as_it_was_written():
    """Each stamp opens one report, marked used by its seconds and MAC: another writing of the same seconds
    (leading zeros, upper-case hex, a sign, spaces) would be another stamp with a valid signature."""
    good = render_stamp(KEY, 7, 1_000)
    seconds, mac = good.split(".")
    assert parse_stamp(good) == (1_000, mac)
    for other in ("0" + good, "00" + good, f"+{good}", f" {good}", f"{good}\n", f"{seconds}.{mac.upper()}",
                  f"{seconds}..{mac}"):
        assert parse_stamp(other) is None and seconds_taken(KEY, 7, other, 2_000) is None, other
    assert parse_stamp(render_stamp(KEY, 7, 0)) == (0, render_stamp(KEY, 7, 0).split(".")[1])
