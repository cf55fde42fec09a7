WITH dropped AS (
    DELETE FROM campaign_village v USING campaign c WHERE c.id = v.campaign_id AND c.project_id = :project_id AND c.id = :campaign_id
    RETURNING v.campaign_id
)
UPDATE campaign SET tiles_version = tiles_version + 1 WHERE id IN (SELECT campaign_id FROM dropped)
