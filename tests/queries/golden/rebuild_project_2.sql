INSERT INTO campaign_household (campaign_id, household_id, village, screening_version_id, screening_on, persons, insured, school_age, out_of_school, screening_housing_unsafe, screening_water_unsafe, screening_location, screening_flags, housing_version_id, housing_on, housing_unsafe, housing_flags, water_version_id, water_on, water_unsafe, water_flags, flag_codes)
WITH latest AS (
    SELECT DISTINCT ON (c.id, a.xml_form_id, a.household_id) c.id AS campaign_id, h.admin_code AS village, a.*
    FROM campaign c
    JOIN submission_assessment a ON a.project_id = c.project_id AND a.xml_form_id = ANY(c.form_ids)
        AND a.xml_form_id IN ('fpf_hh_screening', 'fpf_housing', 'fpf_water')
        AND a.surveyed_on BETWEEN c.starts_on AND c.ends_on AND a.household_id IS NOT NULL AND NOT a.is_draft
    JOIN household h ON h.id = a.household_id
    WHERE c.project_id = :project_id
    ORDER BY c.id, a.xml_form_id, a.household_id, a.surveyed_on DESC, a.submission_version_id DESC
)
SELECT k.campaign_id, k.household_id, k.village, screening.submission_version_id, screening.surveyed_on, screening.persons, screening.insured, screening.school_age, screening.out_of_school, screening.housing_unsafe, screening.water_unsafe, screening.location, coalesce(screening.flag_codes, '{}'), housing.submission_version_id, housing.surveyed_on, housing.housing_unsafe, coalesce(housing.flag_codes, '{}'), water.submission_version_id, water.surveyed_on, water.water_unsafe, coalesce(water.flag_codes, '{}'), ARRAY(SELECT DISTINCT code FROM unnest(coalesce(screening.flag_codes, '{}') || coalesce(housing.flag_codes, '{}') || coalesce(water.flag_codes, '{}')) AS code ORDER BY code)
FROM (SELECT DISTINCT campaign_id, household_id, village FROM latest) k
LEFT JOIN latest screening ON screening.campaign_id = k.campaign_id
    AND screening.household_id = k.household_id AND screening.xml_form_id = 'fpf_hh_screening'
LEFT JOIN latest housing ON housing.campaign_id = k.campaign_id
    AND housing.household_id = k.household_id AND housing.xml_form_id = 'fpf_housing'
LEFT JOIN latest water ON water.campaign_id = k.campaign_id
    AND water.household_id = k.household_id AND water.xml_form_id = 'fpf_water'
