SELECT village, count(screening_version_id) AS screened, coalesce(sum(persons), 0) AS persons,
    coalesce(sum(insured), 0) AS insured, coalesce(sum(school_age), 0) AS school_age,
    coalesce(sum(out_of_school), 0) AS out_of_school,
    coalesce(sum(persons) FILTER (WHERE coalesce(housing_unsafe, screening_housing_unsafe) IS NOT TRUE), 0)
        AS persons_housing_safe,
    coalesce(sum(persons) FILTER (WHERE coalesce(water_unsafe, screening_water_unsafe) IS NOT TRUE), 0)
        AS persons_water_safe,
    count(*) FILTER (WHERE flag_codes && CAST(:risk_codes AS varchar[])) AS households_at_risk,
    count(screening_version_id) FILTER (WHERE flag_codes && CAST(:cluster_codes AS varchar[]))
        AS households_cluster_risk
FROM campaign_household WHERE campaign_id = :campaign AND village = ANY(:villages)
GROUP BY 1
