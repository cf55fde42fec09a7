WITH
version AS (
    INSERT INTO submission_version (id, submission_id, form_id, form_version_id, instance_id, deprecated_id, instance_name, xml, xml_sha256, answers, problems, encrypted, submitter_id, device_id, user_agent, received_at)
    VALUES (:version_id, :submission_id, :form_id, :form_version_id, :instance_id, :deprecated_id, :instance_name, :xml, :xml_sha256, CAST(:answers AS jsonb), CAST(:problems AS jsonb), :encrypted, :submitter_id, :device_id, :user_agent, :received_at)
),
event AS (
    INSERT INTO event (kind, actor_id, project_id, place, subject, payload) VALUES (:event_kind, :event_actor, :event_project, :event_place, :event_subject, CAST(:event_payload AS jsonb))
),
assessment AS (
    INSERT INTO submission_assessment (submission_version_id, submission_id, project_id, xml_form_id, household_id,
        admin_code, surveyed_on, persons, insured, school_age, out_of_school, housing_unsafe, water_unsafe, flag_codes,
        is_draft, location)
    VALUES (:version_id, :submission_id, :project_id, :xml_form_id, :household_id, :admin_code, :surveyed_on,
        :persons, :insured, :school_age, :out_of_school, :housing_unsafe, :water_unsafe, :flag_codes, :is_draft,
        CAST(:location AS geometry))
)
INSERT INTO risk_flag (submission_version_id, submission_id, project_id, household_id, admin_code, ruleset, created_at,
    rule, code, severity, explanation_zh, explanation_en, inputs, threshold)
SELECT :version_id, :submission_id, :project_id, :household_id, :admin_code, :ruleset, :now,
    f.rule, f.code, f.severity, f.explanation_zh, f.explanation_en, f.inputs, f.threshold
FROM jsonb_to_recordset(CAST(:flags AS jsonb)) AS f(rule text, code text, severity text, explanation_zh text,
    explanation_en text, inputs jsonb, threshold jsonb)
