SELECT admin_code AS village, count(*) AS registered FROM household WHERE project_id = :project AND admin_code = ANY(:villages)
GROUP BY 1
