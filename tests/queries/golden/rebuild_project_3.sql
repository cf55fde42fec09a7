DELETE FROM campaign_village v USING campaign c WHERE c.id = v.campaign_id AND c.project_id = :project_id
