WITH touched AS (DELETE FROM campaign_household l USING campaign c
WHERE c.id = l.campaign_id AND c.project_id = :project_id AND l.household_id = ANY(:households) RETURNING l.campaign_id, l.village)
INSERT INTO campaign_change (campaign_id, village) SELECT DISTINCT campaign_id, village FROM touched ORDER BY 1, 2
    ON CONFLICT (campaign_id, village) DO UPDATE SET village = excluded.village WHERE false
