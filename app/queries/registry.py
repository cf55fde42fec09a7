"""Statements of the registry domain: places and households."""
from sqlalchemy import text

# Households of the project (:project) whose head's ID number is one of :idnos and shared with another
# of its households: one array of household codes per shared number.
SHARED_HEAD_IDNOS = text("""
SELECT array_agg(household_code ORDER BY household_code) FROM household
WHERE project_id = :project AND head_idno = ANY(:idnos) GROUP BY head_idno HAVING count(*) > 1
""")
