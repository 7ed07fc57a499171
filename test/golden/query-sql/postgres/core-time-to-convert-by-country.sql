SELECT
      "dim__users"."country" "core__country", CAST(sum(CAST(EXTRACT(EPOCH FROM ("core__funnel"."key_event_2_at" - "core__funnel"."first_visit_datetime")) AS DOUBLE PRECISION)) AS DOUBLE PRECISION) / NULLIF(count("core__funnel"."key_event_2_at"), 0) "core__key_event_2_avg_seconds_to_convert", percentile_cont(0.5) WITHIN GROUP (ORDER BY CAST(EXTRACT(EPOCH FROM ("core__funnel"."key_event_2_at" - "core__funnel"."first_visit_datetime")) AS DOUBLE PRECISION)) "core__key_event_2_median_seconds_to_convert"
    FROM
      "core__funnel_users" AS "core__funnel"
LEFT JOIN "dim__users" AS "dim__users" ON "core__funnel"."user_id" = "dim__users"."user_id"  WHERE (COALESCE((SELECT MAX("watermark") FROM "fact__first_activation_events__build_state") >= ((CAST(("core__funnel"."cohort_date" + 1) AS TIMESTAMP) AT TIME ZONE CAST('Asia/Seoul' AS TEXT)) AT TIME ZONE 'UTC') AND (SELECT MAX("watermark") FROM "fact__first_activation_events__build_state") >= (((CAST(("core__funnel"."cohort_date" + 1) AS TIMESTAMP) AT TIME ZONE CAST('Asia/Seoul' AS TEXT)) AT TIME ZONE 'UTC') + make_interval(secs => 604800)), FALSE) = $1) GROUP BY 1 ORDER BY 2 DESC
-- params: ["true"]
