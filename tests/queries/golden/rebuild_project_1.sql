DELETE FROM campaign_household l USING campaign c
WHERE c.id = l.campaign_id AND c.project_id = :project_id
