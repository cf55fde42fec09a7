"""Statements of the registry domain: places and households."""
from sqlalchemy import text

# Households of the project (:project) whose head's ID number is one of :idnos and shared with another
# of its households: one array of household codes per shared number.
SHARED_HEAD_IDNOS = text("""
SELECT array_agg(household_code ORDER BY household_code) FROM household
WHERE project_id = :project AND head_idno = ANY(:idnos) GROUP BY head_idno HAVING count(*) > 1
""")

# The households that list one person (:idnos, normalised ID numbers; household_person), per person.
SHARED_PERSONS = text("""
SELECT array_agg(DISTINCT h.household_code ORDER BY h.household_code) FROM household_person p
JOIN household h ON h.id = p.household_id
WHERE p.project_id = :project AND p.idno = ANY(:idnos) GROUP BY p.idno HAVING count(DISTINCT p.household_id) > 1
""")

# A place at :level imported without a boundary takes the union of its children's, so that the map can
# draw townships and counties from village boundaries alone. Run upwards: township, county, city, province.
BOUNDARY_FROM_CHILDREN = text("""
UPDATE admin_unit p SET boundary = c.boundary
FROM (SELECT parent_code, ST_Multi(ST_CollectionExtract(ST_Union(boundary), 3)) AS boundary
      FROM admin_unit
      WHERE boundary IS NOT NULL
          AND parent_code IN (SELECT code FROM admin_unit WHERE level = :level AND boundary IS NULL)
      GROUP BY parent_code) c
WHERE p.code = c.parent_code AND p.level = :level AND p.boundary IS NULL
""")
