WITH
assessment AS (
    INSERT INTO submission_assessment (submission_version_id, submission_id, project_id, xml_form_id, household_id,
        admin_code, surveyed_on, persons, insured, school_age, out_of_school, housing_unsafe, water_unsafe, flag_codes,
        is_draft, location)
    VALUES (:version_id, :submission_id, :project_id, :xml_form_id, :household_id, :admin_code, :surveyed_on,
        :persons, :insured, :school_age, :out_of_school, :housing_unsafe, :water_unsafe, :flag_codes, :is_draft,
        CAST(:location AS geometry))
),
kept AS (
    INSERT INTO campaign_household AS ch (campaign_id, household_id, village, screening_version_id, screening_on, persons, insured, school_age, out_of_school, screening_housing_unsafe, screening_water_unsafe, screening_location, screening_flags, flag_codes)
    SELECT c.id, :household_id, :household_village, :version_id, :surveyed_on, :persons, :insured, :school_age, :out_of_school, :housing_unsafe, :water_unsafe, CAST(:location AS geometry), :flag_codes, :flag_codes
    FROM campaign c
    WHERE c.project_id = :project_id AND CAST(:xml_form_id AS varchar) = ANY(c.form_ids)
      AND CAST(:surveyed_on AS date) BETWEEN c.starts_on AND c.ends_on
      AND CAST(:household_id AS bigint) IS NOT NULL AND NOT CAST(:is_draft AS boolean)
    ON CONFLICT (campaign_id, household_id) DO UPDATE SET village = excluded.village, screening_version_id = excluded.screening_version_id, screening_on = excluded.screening_on, persons = excluded.persons, insured = excluded.insured, school_age = excluded.school_age, out_of_school = excluded.out_of_school, screening_housing_unsafe = excluded.screening_housing_unsafe, screening_water_unsafe = excluded.screening_water_unsafe, screening_location = excluded.screening_location, screening_flags = excluded.screening_flags,
        flag_codes = ARRAY(SELECT DISTINCT code FROM unnest(ch.housing_flags || ch.water_flags || excluded.screening_flags) AS code ORDER BY code)
    WHERE ch.screening_version_id IS NULL OR (ch.screening_on, ch.screening_version_id)
        <= (excluded.screening_on, excluded.screening_version_id)
    RETURNING campaign_id, village
),
noted AS (
    INSERT INTO campaign_change (campaign_id, village) SELECT campaign_id, village FROM kept ORDER BY 1, 2
    ON CONFLICT (campaign_id, village) DO UPDATE SET village = excluded.village WHERE false
),
persons_gone AS (
    DELETE FROM household_person
    WHERE household_id = :household_id AND source = 'screening' AND NOT CAST(:is_draft AS boolean) AND NOT EXISTS (
        SELECT FROM submission s JOIN submission_assessment a ON a.submission_version_id = s.current_version_id
        WHERE s.household_id = CAST(:household_id AS bigint) AND s.id <> :submission_id AND s.deleted_at IS NULL
            AND a.xml_form_id = :xml_form_id AND NOT a.is_draft
            AND (a.surveyed_on, a.submission_version_id) > (CAST(:surveyed_on AS date), :version_id))
        AND idno <> ALL(CAST(:person_idnos AS varchar[]))
),
persons_new AS (
    INSERT INTO household_person (household_id, source, idno, project_id)
    SELECT :household_id, 'screening', idno, :project_id FROM unnest(CAST(:person_idnos AS varchar[])) AS idno
    WHERE CAST(:household_id AS bigint) IS NOT NULL AND NOT CAST(:is_draft AS boolean) AND NOT EXISTS (
        SELECT FROM submission s JOIN submission_assessment a ON a.submission_version_id = s.current_version_id
        WHERE s.household_id = CAST(:household_id AS bigint) AND s.id <> :submission_id AND s.deleted_at IS NULL
            AND a.xml_form_id = :xml_form_id AND NOT a.is_draft
            AND (a.surveyed_on, a.submission_version_id) > (CAST(:surveyed_on AS date), :version_id))
    ON CONFLICT DO NOTHING
)
INSERT INTO risk_flag (submission_version_id, submission_id, project_id, household_id, admin_code, ruleset, created_at,
    rule, code, severity, explanation_zh, explanation_en, inputs, threshold)
SELECT :version_id, :submission_id, :project_id, :household_id, :admin_code, :ruleset, :now,
    f.rule, f.code, f.severity, f.explanation_zh, f.explanation_en, f.inputs, f.threshold
FROM jsonb_to_recordset(CAST(:flags AS jsonb)) AS f(rule text, code text, severity text, explanation_zh text,
    explanation_en text, inputs jsonb, threshold jsonb)
