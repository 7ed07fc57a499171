SELECT table_schema, table_name, column_name, data_type FROM "iceberg".information_schema.columns
         WHERE table_schema IN (?) AND table_name IN (?, ?) ORDER BY table_schema, table_name, ordinal_position;

SELECT schema_name, table_name, comment FROM system.metadata.table_comments WHERE catalog_name = ? AND schema_name IN (?) AND table_name IN (?, ?);

SELECT CAST(at_timezone(with_timezone(CAST('2000-01-01 00:00:00' AS TIMESTAMP(6)), 'UTC'), $1) AS DATE) AS d;

MERGE INTO "iceberg"."<test schema>"."_am_build_locks" AS l
USING (SELECT ? AS lock_key, ? AS token, ? AS holder, CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP(6)) AS now) AS s
ON l.lock_key = s.lock_key
WHEN MATCHED AND l.expires_at < s.now THEN UPDATE SET token = s.token, holder = s.holder, acquired_at = s.now, expires_at = s.now + INTERVAL '120' SECOND
WHEN NOT MATCHED THEN INSERT (lock_key, token, holder, acquired_at, expires_at) VALUES (s.lock_key, s.token, s.holder, s.now, s.now + INTERVAL '120' SECOND);

CREATE TABLE IF NOT EXISTS "iceberg"."<test schema>"."_am_build_locks" (lock_key VARCHAR, token VARCHAR, holder VARCHAR, acquired_at TIMESTAMP(6), expires_at TIMESTAMP(6))
COMMENT 'activation-metrics build lock: one row per running build, written by activation build; do not write to it' WITH (partitioning = ARRAY['lock_key']);

MERGE INTO "iceberg"."<test schema>"."_am_build_locks" AS l
USING (SELECT ? AS lock_key, ? AS token, ? AS holder, CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP(6)) AS now) AS s
ON l.lock_key = s.lock_key
WHEN MATCHED AND l.expires_at < s.now THEN UPDATE SET token = s.token, holder = s.holder, acquired_at = s.now, expires_at = s.now + INTERVAL '120' SECOND
WHEN NOT MATCHED THEN INSERT (lock_key, token, holder, acquired_at, expires_at) VALUES (s.lock_key, s.token, s.holder, s.now, s.now + INTERVAL '120' SECOND);

SELECT table_schema, table_name, column_name, data_type FROM "iceberg".information_schema.columns
         WHERE table_schema IN (?) AND table_name IN (?, ?, ?, ?) ORDER BY table_schema, table_name, ordinal_position;

SELECT schema_name, table_name, comment FROM system.metadata.table_comments WHERE catalog_name = ? AND schema_name IN (?) AND table_name IN (?, ?, ?, ?);

SELECT table_name FROM "iceberg".information_schema.tables WHERE table_schema = ? AND starts_with(table_name, ?) ORDER BY table_name;

SELECT
  CAST(MAX(CASE WHEN "datetime" <= CAST($1 AS TIMESTAMP(6)) THEN "datetime" END) AS TIMESTAMP(6)) AS newest,
  COUNT(CASE WHEN "datetime" > CAST($1 AS TIMESTAMP(6)) THEN 1 END) AS future_n,
  CAST(MAX(CASE WHEN "datetime" > CAST($1 AS TIMESTAMP(6)) THEN "datetime" END) AS VARCHAR) AS future_latest,
  COUNT(CASE WHEN "datetime" > CAST($2 AS TIMESTAMP(6)) THEN 1 END) AS future_out_of_range,
  (SELECT COUNT(*) FROM "fact__events") AS total,
  COUNT(CASE WHEN "datetime" > NULL THEN 1 END) AS after_previous_cutoff
FROM "fact__events";

SELECT
  COUNT(CASE WHEN user_id IS NULL OR first_datetime IS NULL THEN 1 END) AS without_first_visit,
  COUNT(CASE WHEN FALSE THEN user_id END) AS old_rows,
  CAST(COALESCE(SUM(CASE WHEN FALSE THEN term END), 0) AS VARCHAR) AS old_fingerprint,
  COUNT(CASE WHEN first_datetime IS NOT NULL THEN user_id END) AS all_rows,
  CAST(COALESCE(SUM(term), 0) AS VARCHAR) AS all_fingerprint,
  CAST(MAX(CASE WHEN user_id IS NOT NULL THEN first_datetime END) AS TIMESTAMP(6)) AS newest
FROM (
  SELECT user_id, first_datetime, CASE WHEN user_id IS NOT NULL AND first_datetime IS NOT NULL THEN CAST(from_big_endian_64(xxhash64(to_utf8(CAST(user_id AS VARCHAR) || '|' || CAST(CAST(first_datetime AS TIMESTAMP(6)) AS VARCHAR)))) AS DECIMAL(38, 0)) END AS term
  FROM "dim__users"
) AS u;

CREATE TABLE "_am_9dd73d90_<build>_users" AS
SELECT user_id, first_datetime, CAST(at_timezone(with_timezone(first_datetime, 'UTC'), $1) AS DATE) AS first_visit_date
FROM (
  SELECT user_id, MIN(first_datetime) AS first_datetime
  FROM "dim__users"
  WHERE user_id IS NOT NULL AND first_datetime IS NOT NULL
  GROUP BY user_id
) AS users;

CREATE TABLE "_am_9dd73d90_<build>_events" AS
SELECT e.user_id, e.event_name, e."datetime", u.first_datetime, u.first_visit_date
FROM "fact__events" AS e
LEFT JOIN "_am_9dd73d90_<build>_users" AS u ON u.user_id = e.user_id
WHERE e.event_name IN ($1, $2) AND e."datetime" <= CAST($3 AS TIMESTAMP(6));

CREATE TABLE "_am_9dd73d90_<build>_mart" AS
SELECT u.first_visit_date AS "date", u.first_datetime AS "datetime", u.user_id, CAST($1 AS VARCHAR) AS event_name,
  u.first_visit_date, u.first_datetime AS first_visit_datetime, 1 AS hours_from_first_visit, 1 AS days_from_first_visit
FROM "_am_9dd73d90_<build>_users" AS u
UNION ALL
SELECT CAST(at_timezone(with_timezone(s.first_at, 'UTC'), $2) AS DATE) AS "date", s.first_at AS "datetime", s.user_id, s.event_name, s.first_visit_date, s.first_datetime AS first_visit_datetime,
  CAST(date_diff('hour', date_trunc('hour', s.first_datetime), date_trunc('hour', s.first_at)) AS INTEGER) + 1 AS hours_from_first_visit,
  CAST(date_diff('day', s.first_visit_date, CAST(at_timezone(with_timezone(s.first_at, 'UTC'), $2) AS DATE)) AS INTEGER) + 1 AS days_from_first_visit
FROM (
  SELECT e.user_id, e.event_name, MIN(e."datetime") AS first_at, MIN(e.first_datetime) AS first_datetime, MIN(e.first_visit_date) AS first_visit_date
  FROM "_am_9dd73d90_<build>_events" AS e
  WHERE e."datetime" >= e.first_datetime
  GROUP BY e.user_id, e.event_name
) AS s;

SELECT e.event_name,
  COUNT(*) AS rows_scanned,
  COUNT(CASE WHEN e."datetime" < e.first_datetime THEN 1 END) AS rows_before_first_visit,
  COUNT(CASE WHEN e.first_datetime IS NULL THEN 1 END) AS rows_unknown_user,
  MIN(unknown.users) AS unknown_users
FROM "_am_9dd73d90_<build>_events" AS e
CROSS JOIN (SELECT COUNT(DISTINCT x.user_id) AS users FROM "_am_9dd73d90_<build>_events" AS x WHERE x.first_datetime IS NULL) AS unknown
GROUP BY e.event_name;

CREATE TABLE "_am_9dd73d90_<build>_f0_full" AS
WITH funnel_users AS (
  -- the users to compute, with their first visit
  SELECT u.user_id, u.first_datetime, u.first_visit_date
  FROM "_am_9dd73d90_<build>_users" AS u
),
funnel_events AS (
  -- the funnel's events at or after each user's first visit, up to the build's watermark
  SELECT e.user_id, e.event_name, e."datetime", e.first_datetime, e.first_visit_date, CAST(at_timezone(with_timezone(e."datetime", 'UTC'), $1) AS DATE) AS local_date
  FROM "_am_9dd73d90_<build>_events" AS e
  WHERE e.event_name IN ($2, $3)
    AND e."datetime" >= e.first_datetime
    AND e."datetime" <= CAST($4 AS TIMESTAMP(6))
),
funnel_step_2 AS (
  -- step 2 (key_event_1): the earliest occurrence inside its window, at or after step 1's
  SELECT e.user_id, MIN(e."datetime") AS at_2
  FROM funnel_events AS e
  WHERE e.event_name = $5 AND CAST(date_diff('day', e.first_visit_date, e.local_date) AS INTEGER) + 1 <= CAST($6 AS INTEGER)
  GROUP BY e.user_id
),
funnel_step_3 AS (
  -- step 3 (key_event_2): the earliest occurrence inside its window, at or after step 2's
  SELECT e.user_id, MIN(e."datetime") AS at_3
  FROM funnel_events AS e
  JOIN funnel_step_2 AS s ON s.user_id = e.user_id AND e."datetime" >= s.at_2
  WHERE e.event_name = $7 AND e."datetime" <= date_add('second', CAST($8 AS BIGINT), e.first_datetime)
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
  f.at_2 AS "key_event_1_at",
  f.at_3 AS "key_event_2_at"
FROM (
  SELECT m.*, FALSE AS "excluded"
  FROM funnel_matched AS m
) AS f;

CREATE TABLE "_am_9dd73d90_<build>_f1_full" AS
WITH funnel_users AS (
  -- the users to compute, with their first visit
  SELECT u.user_id, u.first_datetime, u.first_visit_date
  FROM "_am_9dd73d90_<build>_users" AS u
),
funnel_events AS (
  -- the funnel's events at or after each user's first visit, up to the build's watermark
  SELECT e.user_id, e.event_name, e."datetime", e.first_datetime, e.first_visit_date, CAST(at_timezone(with_timezone(e."datetime", 'UTC'), $1) AS DATE) AS local_date
  FROM "_am_9dd73d90_<build>_events" AS e
  WHERE e.event_name IN ($2, $3)
    AND e."datetime" >= e.first_datetime
    AND e."datetime" <= CAST($4 AS TIMESTAMP(6))
),
funnel_own AS (
  -- each step's earliest occurrence inside its window (users with events of the funnel only)
  SELECT e.user_id,
    MIN(CASE WHEN e.event_name = $5 AND CAST(date_diff('hour', date_trunc('hour', e.first_datetime), date_trunc('hour', e."datetime")) AS INTEGER) + 1 <= CAST($6 AS INTEGER) THEN e."datetime" END) AS own_2,
    MIN(CASE WHEN e.event_name = $7 AND CAST(date_diff('day', e.first_visit_date, e.local_date) AS INTEGER) + 1 <= CAST($8 AS INTEGER) THEN e."datetime" END) AS own_3
  FROM funnel_events AS e
  GROUP BY e.user_id
),
funnel_matched AS (
  -- any: a step counts when every previous step does too
  SELECT u.user_id, u.first_datetime, u.first_visit_date,
  CASE WHEN o.own_2 IS NOT NULL THEN o.own_2 END AS at_2,
  CASE WHEN o.own_2 IS NOT NULL AND o.own_3 IS NOT NULL THEN o.own_3 END AS at_3
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
) AS f;

SELECT event_name,
  COUNT(CASE WHEN "datetime" > CAST($1 AS TIMESTAMP(6)) THEN 1 END) AS after_cutoff,
  COUNT(CASE WHEN "datetime" > CAST($1 AS TIMESTAMP(6)) AND "datetime" <= CAST($2 AS TIMESTAMP(6)) THEN 1 END) AS after_cutoff_through_watermark,
  COUNT(CASE WHEN "datetime" <= CAST($1 AS TIMESTAMP(6)) THEN 1 END) AS through_cutoff
FROM "fact__events" WHERE "datetime" > CAST($3 AS TIMESTAMP(6))
GROUP BY event_name;

CREATE OR REPLACE TABLE "fact__first_activation_events" COMMENT 'activation-metrics mart: created and replaced by activation build; do not write to it' AS SELECT * FROM "_am_9dd73d90_<build>_mart";

DROP TABLE "_am_9dd73d90_<build>_mart";

CREATE OR REPLACE TABLE "core__funnel_users" COMMENT 'activation-metrics funnel table: created and replaced by activation build; do not write to it' AS SELECT * FROM "_am_9dd73d90_<build>_f0_full";

DROP TABLE "_am_9dd73d90_<build>_f0_full";

CREATE OR REPLACE TABLE "core_any__funnel_users" COMMENT 'activation-metrics funnel table: created and replaced by activation build; do not write to it' AS SELECT * FROM "_am_9dd73d90_<build>_f1_full";

DROP TABLE "_am_9dd73d90_<build>_f1_full";

CREATE OR REPLACE TABLE "fact__first_activation_events__build_state" COMMENT 'activation-metrics build state: created and replaced by activation build; do not write to it' AS SELECT CAST($1 AS VARCHAR) AS definition_hash, CAST($2 AS VARCHAR) AS tracked_events, CAST($3 AS TIMESTAMP(6)) AS watermark, CAST($4 AS TIMESTAMP(6)) AS late_cutoff, CAST($5 AS BIGINT) AS rows_through_late_cutoff, CAST($6 AS VARCHAR) AS tracked_rows_through_late_cutoff, CAST($7 AS TIMESTAMP(6)) AS users_watermark, CAST($8 AS BIGINT) AS users_rows, CAST($9 AS VARCHAR) AS users_fingerprint, CAST($10 AS VARCHAR) AS definition, CAST($11 AS BIGINT) AS data_version, CAST($12 AS BOOLEAN) AS publishing, CAST($13 AS VARCHAR) AS funnel_tables;

SELECT table_name FROM "iceberg".information_schema.tables WHERE table_schema = ? AND starts_with(table_name, ?) ORDER BY table_name;

DROP TABLE IF EXISTS "_am_9dd73d90_<build>_events";

DROP TABLE IF EXISTS "_am_9dd73d90_<build>_users";

SELECT COUNT(*) AS n FROM "fact__first_activation_events";

DELETE FROM "iceberg"."<test schema>"."_am_build_locks" WHERE lock_key = ? AND token = ?;

SELECT COUNT(*) AS n FROM "iceberg"."<test schema>"."_am_build_locks$snapshots" WHERE committed_at < current_timestamp - INTERVAL '1' HOUR;
