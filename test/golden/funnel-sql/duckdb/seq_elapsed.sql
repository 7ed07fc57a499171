WITH funnel_users AS (
  -- the users to compute, with their first visit
  SELECT u.user_id, u.first_datetime, u.first_visit_date
  FROM "_am_users" AS u
  WHERE u.user_id IN (SELECT o.user_id FROM "_am_changed_users" AS o)
),
funnel_events AS (
  -- the funnel's events at or after each user's first visit, up to the build's watermark
  SELECT e.user_id, e.event_name, e."datetime", u.first_datetime, u.first_visit_date
  FROM "fact__events" AS e
  JOIN funnel_users AS u ON e.user_id = u.user_id
  WHERE e.event_name IN ($1, $2, $3)
    AND e."datetime" >= u.first_datetime
    AND e."datetime" <= CAST($4 AS TIMESTAMP)
),
funnel_step_2 AS (
  -- step 2 (key_event_1): the earliest occurrence inside its window, at or after step 1's
  SELECT e.user_id, MIN(e."datetime") AS at_2
  FROM funnel_events AS e
  WHERE e.event_name = $5 AND e."datetime" <= (e.first_datetime + to_seconds(CAST($6 AS BIGINT)))
  GROUP BY e.user_id
),
funnel_step_3 AS (
  -- step 3 (key_event_2): the earliest occurrence inside its window, at or after step 2's
  SELECT e.user_id, MIN(e."datetime") AS at_3
  FROM funnel_events AS e
  JOIN funnel_step_2 AS s ON s.user_id = e.user_id AND e."datetime" >= s.at_2
  WHERE e.event_name = $7 AND e."datetime" <= (e.first_datetime + to_seconds(CAST($8 AS BIGINT)))
  GROUP BY e.user_id
),
funnel_matched AS (
  SELECT u.user_id, u.first_datetime, u.first_visit_date, m2.at_2, m3.at_3
  FROM funnel_users AS u
  LEFT JOIN funnel_step_2 AS m2 ON m2.user_id = u.user_id
  LEFT JOIN funnel_step_3 AS m3 ON m3.user_id = u.user_id
)
SELECT
  f.user_id AS "user_id",
  f.first_visit_date AS "cohort_date",
  f.first_datetime AS "first_visit_datetime",
  f."excluded" AS "excluded",
  CASE WHEN f."excluded" THEN NULL ELSE f.at_2 END AS "key_event_1_at",
  CASE WHEN f."excluded" THEN NULL ELSE f.at_3 END AS "key_event_2_at"
FROM (
  SELECT m.*, (EXISTS (
      -- uninstall between first_visit and key_event_1 (or the end of its window)
      SELECT 1 FROM funnel_events AS x
      WHERE x.user_id = m.user_id AND x.event_name = $10 AND x."datetime" >= m.first_datetime
        AND (x."datetime" <= m.at_2 OR (m.at_2 IS NULL AND x."datetime" <= (x.first_datetime + to_seconds(CAST($9 AS BIGINT))))))) AS "excluded"
  FROM funnel_matched AS m
) AS f
-- params: ["key_event_1","key_event_2","uninstall","2025-03-12 00:00:00","key_event_1",86400,"key_event_2",259200,86400,"uninstall"]
