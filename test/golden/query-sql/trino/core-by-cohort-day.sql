SELECT
      (/* calendar date */ CAST("core__funnel"."cohort_date" AS TIMESTAMP(6))) "core__cohort_date_day", count(CASE WHEN NOT "core__funnel"."excluded" THEN 1 END) "core__first_visit_users", count("core__funnel"."key_event_1_at") "core__key_event_1_users", count("core__funnel"."key_event_2_at") "core__key_event_2_users", CAST(count("core__funnel"."key_event_2_at") AS DOUBLE) / NULLIF(count(CASE WHEN NOT "core__funnel"."excluded" THEN 1 END), 0) "core__key_event_2_conversion_rate"
    FROM
      "core__funnel_users" AS "core__funnel"  GROUP BY 1 ORDER BY 1 ASC
-- params: []
