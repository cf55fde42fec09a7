WITH
version AS (
    INSERT INTO submission_version (id, submission_id, form_id, form_version_id, instance_id, deprecated_id, instance_name, xml, xml_sha256, answers, problems, encrypted, submitter_id, device_id, user_agent, received_at)
    VALUES (:version_id, :submission_id, :form_id, :form_version_id, :instance_id, :deprecated_id, :instance_name, :xml, :xml_sha256, CAST(:answers AS jsonb), CAST(:problems AS jsonb), :encrypted, :submitter_id, :device_id, :user_agent, :received_at)
),
event AS (
    INSERT INTO event (kind, actor_id, project_id, place, subject, payload) VALUES (:event_kind, :event_actor, :event_project, :event_place, :event_subject, CAST(:event_payload AS jsonb))
)
SELECT 1
