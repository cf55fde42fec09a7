SELECT form.id, form.state, form.version_id, form.assigned_elsewhere, form.existing_version_id, form.existing_submission_id, form.existing_sha256, form.existing_submitter_id, form.existing_is_draft, form.existing_admin_code, context.household_id, context.poverty_status, context.category, context.status, context.last_pc_income, context.household_village, context.village, context.distance_m, context.duplicate_of, context.duplicate_village, context.shared_persons
FROM (SELECT form.id AS id, form.state AS state, form_version.id AS version_id, (EXISTS (SELECT form_assignment.form_id
FROM form_assignment
WHERE form_assignment.form_id = form.id)) AND NOT (EXISTS (SELECT form_assignment.form_id
FROM form_assignment
WHERE form_assignment.form_id = form.id AND form_assignment.actor_id = %(actor_id)s::INTEGER)) AS assigned_elsewhere, existing.id AS existing_version_id, existing.submission_id AS existing_submission_id, existing.xml_sha256 AS existing_sha256, existing.submitter_id AS existing_submitter_id, existing_submission.is_draft AS existing_is_draft, existing_submission.admin_code AS existing_admin_code
FROM form LEFT OUTER JOIN form_version ON form_version.form_id = form.id AND form_version.version = %(version)s::VARCHAR AND form_version.published_at IS NOT NULL LEFT OUTER JOIN submission_version AS existing ON existing.form_id = form.id AND existing.instance_id = %(instance_id)s::VARCHAR LEFT OUTER JOIN submission AS existing_submission ON existing_submission.id = existing.submission_id
WHERE form.project_id = %(project_id)s::INTEGER AND form.xml_form_id = %(xml_form_id)s::VARCHAR) AS form JOIN (
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
) AS context ON true
