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
  WHERE e.event_name IN ($1, $2)
    AND e."datetime" >= u.first_datetime
    AND e."datetime" <= CAST($3 AS TIMESTAMP)
),
funnel_step_2 AS (
  -- step 2 (key_event_1): the earliest occurrence inside its window, at or after step 1's
  SELECT e.user_id, MIN(e."datetime") AS at_2
  FROM funnel_events AS e
  WHERE e.event_name = $4 AND CAST(EXTRACT(EPOCH FROM (date_trunc('hour', e."datetime") - date_trunc('hour', e.first_datetime))) / 3600 AS INTEGER) + 1 <= CAST($5 AS INTEGER)
  GROUP BY e.user_id
),
funnel_step_3 AS (
  -- step 3 (key_event_2): the earliest occurrence inside its window, at or after step 2's
  SELECT e.user_id, MIN(e."datetime") AS at_3
  FROM funnel_events AS e
  JOIN funnel_step_2 AS s ON s.user_id = e.user_id AND e."datetime" >= s.at_2
  WHERE e.event_name = $6 AND CAST(EXTRACT(EPOCH FROM (date_trunc('hour', e."datetime") - date_trunc('hour', e.first_datetime))) / 3600 AS INTEGER) + 1 <= CAST($7 AS INTEGER)
  GROUP BY e.user_id
),
funnel_step_4 AS (
  -- step 4 (again): the earliest occurrence inside its window, at or after step 3's
  SELECT e.user_id, MIN(e."datetime") AS at_4
  FROM funnel_events AS e
  JOIN funnel_step_3 AS s ON s.user_id = e.user_id AND e."datetime" >= s.at_3
  WHERE e.event_name = $8
  GROUP BY e.user_id
),
funnel_matched AS (
  SELECT u.user_id, u.first_datetime, u.first_visit_date, m2.at_2, m3.at_3, m4.at_4
  FROM funnel_users AS u
  LEFT JOIN funnel_step_2 AS m2 ON m2.user_id = u.user_id
  LEFT JOIN funnel_step_3 AS m3 ON m3.user_id = u.user_id
  LEFT JOIN funnel_step_4 AS m4 ON m4.user_id = u.user_id
)
SELECT
  f.user_id AS "user_id",
  f.first_visit_date AS "cohort_date",
  f.first_datetime AS "first_visit_datetime",
  f."excluded" AS "excluded",
  f.at_2 AS "key_event_1_at",
  f.at_3 AS "key_event_2_at",
  f.at_4 AS "again_at"
FROM (
  SELECT m.*, FALSE AS "excluded"
  FROM funnel_matched AS m
) AS f
-- params: ["key_event_1","key_event_2","2025-03-12 00:00:00","key_event_1",2,"key_event_2",30,"key_event_1"]
