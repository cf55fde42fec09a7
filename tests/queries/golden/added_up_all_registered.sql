SELECT admin_code AS village, count(*) AS registered FROM household WHERE project_id = :project
GROUP BY 1
