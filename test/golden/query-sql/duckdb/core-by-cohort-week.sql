SELECT
      DATE_TRUNC('week', (/* calendar date */ CAST("core__funnel"."cohort_date" AS TIMESTAMP))) "core__cohort_date_week", count(CASE WHEN NOT "core__funnel"."excluded" THEN 1 END) "core__first_visit_users", count("core__funnel"."key_event_1_at") "core__key_event_1_users"
    FROM
      "core__funnel_users" AS "core__funnel"  WHERE ((/* calendar date */ CAST("core__funnel"."cohort_date" AS TIMESTAMP)) >= ?::timestamptz AND (/* calendar date */ CAST("core__funnel"."cohort_date" AS TIMESTAMP)) <= ?::timestamptz) GROUP BY 1 ORDER BY 1 ASC
-- params: ["2025-01-01T00:00:00.000Z","2025-01-31T23:59:59.999Z"]
