"""The households of one village in a campaign, for the console's list: a page of them, filtered."""
from sqlalchemy import text

from .coverage import HOUSEHOLD_STATE

# Households registered in :village (within the caller's :places), with their state in :campaign and
# their flags; filtered by :state (NULL: any) and :flag (a code, NULL: any); :limit of them from
# :offset, in household code order, each row with the count of all that match.
VILLAGE_HOUSEHOLDS = text(f"""
SELECT *, count(*) OVER () AS total FROM (
    SELECT h.household_code, h.head_name, ch.screening_on, coalesce(ch.flag_codes, '{{}}') AS codes,
        {HOUSEHOLD_STATE} AS state
    FROM household h
    LEFT JOIN campaign_household ch ON ch.campaign_id = :campaign AND ch.household_id = h.id
    WHERE h.project_id = :project AND h.admin_code = :village
        AND (CAST(:places AS text[]) IS NULL OR h.admin_code LIKE ANY(CAST(:places AS text[])))
        AND (CAST(:flag AS text) IS NULL OR ch.flag_codes @> ARRAY[CAST(:flag AS varchar)])
) listed
WHERE CAST(:state AS text) IS NULL OR state = CAST(:state AS text)
ORDER BY household_code
LIMIT :limit OFFSET :offset
""")
