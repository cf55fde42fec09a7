SELECT h.id AS household_id, h.poverty_status, h.category, h.status, h.last_pc_income,
    h.admin_code AS household_village,
    v.code AS village,
    CASE WHEN v.boundary IS NULL OR pt.geom IS NULL THEN NULL
         WHEN ST_Intersects(v.boundary, pt.geom) THEN 0
         ELSE ST_Distance(v.boundary::geography, pt.geom::geography) END AS distance_m,
    dup.household_code AS duplicate_of, dup.admin_code AS duplicate_village, persons.shared AS shared_persons
FROM (SELECT ST_SetSRID(ST_MakePoint(CAST(%(lon)s AS float8), CAST(%(lat)s AS float8)), 4326) AS geom) pt
LEFT JOIN household h ON h.project_id = %(project_id)s AND h.household_code = CAST(%(code)s AS varchar)
LEFT JOIN admin_unit v ON v.level = 'village' AND v.code = coalesce(CAST(%(village)s AS varchar), h.admin_code)
LEFT JOIN LATERAL (
    SELECT d.household_code, d.admin_code FROM household d
    WHERE d.project_id = %(project_id)s AND d.head_idno = CAST(%(idno)s AS varchar) AND d.id IS DISTINCT FROM h.id
    LIMIT 1) dup ON true
LEFT JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object('idno', s.idno, 'household', o.household_code, 'village', o.admin_code)
                     ORDER BY s.idno, o.household_code) AS shared
    FROM (SELECT DISTINCT p.idno, p.household_id FROM household_person p
          WHERE p.project_id = %(project_id)s AND p.idno = ANY(CAST(%(person_idnos)s AS varchar[]))
              AND p.household_id IS DISTINCT FROM h.id
              AND (CAST(%(arrived)s AS timestamptz) IS NULL OR p.source = 'screening'
                   OR p.since < CAST(%(arrived)s AS timestamptz))) s
    JOIN household o ON o.id = s.household_id) persons ON true
