"""Statements of residents' self-reports: the counts their limits read, and refusals per link."""
from sqlalchemy import text

# One more report for each (:keys[i], :windows[i], :starts[i]); returns each count after it, in that order.
COUNT_REPORT = text("""
INSERT INTO self_report_count AS c (key, "window", starts_at, count)
SELECT k, w, s, 1 FROM unnest(CAST(:keys AS varchar[]), CAST(:windows AS varchar[]), CAST(:starts AS timestamptz[]))
    AS t(k, w, s)
ON CONFLICT (key, "window", starts_at) DO UPDATE SET count = c.count + 1
RETURNING key, "window", count
""")
COUNT_REFUSAL = text("""
INSERT INTO public_link_refusal AS r (link_id, reason, day, count) VALUES (:link, :reason, CAST(:day AS date), 1)
ON CONFLICT (link_id, reason, day) DO UPDATE SET count = r.count + 1
""")
# Windows over: a day's count is kept two days, a minute's two minutes.
FORGET_OLD_COUNTS = text("""
DELETE FROM self_report_count WHERE starts_at < now() - CASE "window" WHEN 'day' THEN interval '2 days'
    ELSE interval '2 minutes' END
""")
REPORTS_IN_WINDOW = text("""
SELECT count FROM self_report_count WHERE key = :key AND "window" = :window AND starts_at = :starts
""")
# A solved challenge, or a page's render stamp, opens one report: its key is kept (window 'used', starting
# when it expires, so that housekeeping deletes it once it could not be used anyway). No row back: it was
# used already.
USE_ONCE = text("""
INSERT INTO self_report_count (key, "window", starts_at, count) VALUES (:key, 'used', :expires, 1)
ON CONFLICT DO NOTHING RETURNING 1
""")
# Two reports of the same household at once must not both open a lead: each takes this lock for each of its
# keys (in one order) until its transaction ends, and the second then finds the first one's lead.
LOCK_LEAD_KEY = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
