WITH new AS (
    INSERT INTO household (project_id, household_code, admin_code, head_name, head_idno, poverty_status,
        category, status, members, created_at)
    VALUES (:project_id, :code, :village, :head_name, :head_idno, :poverty_status, :category, :status, '[]',
        now())
    ON CONFLICT (project_id, household_code) DO NOTHING
    RETURNING id, admin_code
), noted AS (
    INSERT INTO campaign_change (campaign_id, village) SELECT c.id, new.admin_code FROM campaign c, new WHERE c.project_id = :project_id ORDER BY 1, 2
    ON CONFLICT (campaign_id, village) DO UPDATE SET village = excluded.village WHERE false
)
SELECT id FROM new
