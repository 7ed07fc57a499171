SELECT
      DATE_TRUNC('week', (/* calendar date */ CAST("core__funnel"."cohort_date" AS TIMESTAMP))) "core__cohort_date_week", count(CASE WHEN NOT "core__funnel"."excluded" THEN 1 END) "core__first_visit_users", count("core__funnel"."key_event_1_at") "core__key_event_1_users"
    FROM
      "core__funnel_users" AS "core__funnel"  GROUP BY 1 ORDER BY 1 ASC
-- params: []
