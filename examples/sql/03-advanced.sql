-- Seed 4.4 (advanced): the same funnel for users in the United States. The view already joins
-- dim__users, so the user attribute is just a column to filter on.
SELECT
    DATE_TRUNC('day', cohort_date) AS cohort_date,
    MEASURE(first_visit_users) AS first_visit,
    MEASURE(key_event_1_users) AS key_event_1,
    MEASURE(key_event_2_users) AS key_event_2
FROM core_activation_independent
WHERE country = 'United States'
GROUP BY 1
ORDER BY 1;
