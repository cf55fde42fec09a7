WITH units AS (
    SELECT left(village, :prefix) AS unit, sum(registered) AS registered, sum(screened) AS screened,
        sum(persons) AS persons, sum(insured) AS insured, sum(school_age) AS school_age,
        sum(out_of_school) AS out_of_school, sum(persons_housing_safe) AS persons_housing_safe,
        sum(persons_water_safe) AS persons_water_safe, sum(households_at_risk) AS households_at_risk,
        sum(households_cluster_risk) AS households_cluster_risk
    FROM campaign_village WHERE campaign_id = :campaign AND village LIKE ANY(CAST(:places AS text[])) GROUP BY 1
), codes AS (
    SELECT left(village, :prefix) AS unit, code, sum(households::int) AS households
    FROM campaign_village, jsonb_each_text(flagged) AS f(code, households)
    WHERE campaign_id = :campaign AND village LIKE ANY(CAST(:places AS text[])) GROUP BY 1, 2
), flagged AS (
    SELECT unit, jsonb_object_agg(code, households) AS flagged FROM codes GROUP BY unit
)
SELECT u.*, coalesce(f.flagged, '{}') AS flagged FROM units u LEFT JOIN flagged f ON f.unit = u.unit ORDER BY u.unit
