-- Seed 4.3 (intermediate, the squad's key metric): first_visit → key_event_1 within 1 day →
-- key_event_2 within 7 days, by first-visit cohort. The independent view counts each step on its
-- own, exactly like the seed's query; conversion rates are ready-made measures.
SELECT
    DATE_TRUNC('day', cohort_date) AS cohort_date,
    MEASURE(first_visit_users) AS first_visit,
    MEASURE(key_event_1_users) AS key_event_1,
    MEASURE(key_event_2_users) AS key_event_2,
    MEASURE(key_event_1_conversion_rate) AS key_event_1_rate,
    MEASURE(key_event_2_conversion_rate) AS key_event_2_rate
FROM core_activation_independent
GROUP BY 1
ORDER BY 1;
