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
