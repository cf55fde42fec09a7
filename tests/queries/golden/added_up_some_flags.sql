SELECT village, code, count(*) AS households FROM campaign_household, unnest(flag_codes) AS code
WHERE campaign_id = :campaign AND cardinality(flag_codes) > 0 AND village = ANY(:villages)
GROUP BY 1, 2
