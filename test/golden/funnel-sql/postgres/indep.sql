WITH funnel_users AS (
  -- the users to compute, with their first visit
  SELECT u.user_id, u.first_datetime, u.first_visit_date
  FROM "_am_users" AS u
  WHERE u.user_id IN (SELECT o.user_id FROM "_am_changed_users" AS o)
),
funnel_events AS (
  -- the funnel's events at or after each user's first visit, up to the build's watermark
  SELECT e.user_id, e.event_name, e."datetime", u.first_datetime, u.first_visit_date, CAST((e."datetime" AT TIME ZONE 'UTC') AT TIME ZONE CAST($1 AS TEXT) AS DATE) AS local_date
  FROM "fact__events" AS e
  JOIN funnel_users AS u ON e.user_id = u.user_id
  WHERE e.event_name IN ($2, $3)
    AND e."datetime" >= u.first_datetime
    AND e."datetime" <= CAST($4 AS TIMESTAMP)
),
funnel_own AS (
  -- each step's earliest occurrence inside its window (users with events of the funnel only)
  SELECT e.user_id,
    MIN(CASE WHEN e.event_name = $5 AND ((e.local_date) - (e.first_visit_date)) + 1 <= CAST($6 AS INTEGER) THEN e."datetime" END) AS own_2,
    MIN(CASE WHEN e.event_name = $7 AND CAST(EXTRACT(EPOCH FROM (date_trunc('hour', e."datetime") - date_trunc('hour', e.first_datetime))) / 3600 AS INTEGER) + 1 <= CAST($8 AS INTEGER) THEN e."datetime" END) AS own_3
  FROM funnel_events AS e
  GROUP BY e.user_id
),
funnel_matched AS (
  -- independent: each step on its own
  SELECT u.user_id, u.first_datetime, u.first_visit_date,
  o.own_2 AS at_2,
  o.own_3 AS at_3
  FROM funnel_users AS u
  LEFT JOIN funnel_own AS o ON o.user_id = u.user_id
)
SELECT
  f.user_id AS "user_id",
  f.first_visit_date AS "cohort_date",
  f.first_datetime AS "first_visit_datetime",
  f."excluded" AS "excluded",
  f.at_2 AS "key_event_1_at",
  f.at_3 AS "key_event_2_at"
FROM (
  SELECT m.*, FALSE AS "excluded"
  FROM funnel_matched AS m
) AS f
-- params: ["America/New_York","key_event_1","key_event_2","2025-03-12 00:00:00","key_event_1",1,"key_event_2",48]
