SELECT
      "dim__users"."country" "core__country", CAST(sum((CAST(date_diff('microsecond', "core__funnel"."first_visit_datetime", "core__funnel"."key_event_2_at") AS DOUBLE) / 1000000)) AS DOUBLE) / NULLIF(count("core__funnel"."key_event_2_at"), 0) "core__key_event_2_avg_seconds_to_convert", percentile_cont(0.5) WITHIN GROUP (ORDER BY (CAST(date_diff('microsecond', "core__funnel"."first_visit_datetime", "core__funnel"."key_event_2_at") AS DOUBLE) / 1000000)) "core__key_event_2_median_seconds_to_convert"
    FROM
      "core__funnel_users" AS "core__funnel"
LEFT JOIN "dim__users" AS "dim__users" ON "core__funnel"."user_id" = "dim__users"."user_id"  WHERE (COALESCE((SELECT MAX("watermark") FROM "fact__first_activation_events__build_state") >= CAST((CAST(("core__funnel"."cohort_date" + 1) AS TIMESTAMP) AT TIME ZONE 'Asia/Seoul') AT TIME ZONE 'UTC' AS TIMESTAMP) AND (SELECT MAX("watermark") FROM "fact__first_activation_events__build_state") >= (CAST((CAST(("core__funnel"."cohort_date" + 1) AS TIMESTAMP) AT TIME ZONE 'Asia/Seoul') AT TIME ZONE 'UTC' AS TIMESTAMP) + to_seconds(604800)), FALSE) = ?) GROUP BY 1 ORDER BY 2 DESC
-- params: ["true"]
