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
    INSERT INTO campaign_household AS ch (campaign_id, household_id, village, housing_version_id, housing_on, housing_unsafe, housing_flags, flag_codes)
    SELECT c.id, :household_id, :household_village, :version_id, :surveyed_on, :housing_unsafe, :flag_codes, :flag_codes
    FROM campaign c
    WHERE c.project_id = :project_id AND CAST(:xml_form_id AS varchar) = ANY(c.form_ids)
      AND CAST(:surveyed_on AS date) BETWEEN c.starts_on AND c.ends_on
      AND CAST(:household_id AS bigint) IS NOT NULL AND NOT CAST(:is_draft AS boolean)
    ON CONFLICT (campaign_id, household_id) DO UPDATE SET village = excluded.village, housing_version_id = excluded.housing_version_id, housing_on = excluded.housing_on, housing_unsafe = excluded.housing_unsafe, housing_flags = excluded.housing_flags,
        flag_codes = ARRAY(SELECT DISTINCT code FROM unnest(ch.screening_flags || ch.water_flags || excluded.housing_flags) AS code ORDER BY code)
    WHERE ch.housing_version_id IS NULL OR (ch.housing_on, ch.housing_version_id)
        <= (excluded.housing_on, excluded.housing_version_id)
    RETURNING campaign_id, village
),
noted AS (
    INSERT INTO campaign_change (campaign_id, village) SELECT campaign_id, village FROM kept ORDER BY 1, 2
    ON CONFLICT (campaign_id, village) DO UPDATE SET village = excluded.village WHERE false
)
INSERT INTO risk_flag (submission_version_id, submission_id, project_id, household_id, admin_code, ruleset, created_at,
    rule, code, severity, explanation_zh, explanation_en, inputs, threshold)
SELECT :version_id, :submission_id, :project_id, :household_id, :admin_code, :ruleset, :now,
    f.rule, f.code, f.severity, f.explanation_zh, f.explanation_en, f.inputs, f.threshold
FROM jsonb_to_recordset(CAST(:flags AS jsonb)) AS f(rule text, code text, severity text, explanation_zh text,
    explanation_en text, inputs jsonb, threshold jsonb)
