SELECT * FROM (
         SELECT CASE WHEN c.table_name = $1 AND c.schema_name = COALESCE($2, current_schema()) THEN 0 WHEN c.table_name = $3 AND c.schema_name = COALESCE($4, current_schema()) THEN 1 END AS requested, c.column_name, c.data_type, c.column_index, t.comment
         FROM duckdb_columns() AS c
         LEFT JOIN duckdb_tables() AS t ON t.database_name = c.database_name AND t.schema_name = c.schema_name AND t.table_name = c.table_name
         WHERE c.database_name = current_database()
       ) WHERE requested IS NOT NULL
       ORDER BY requested, column_index;

SELECT CAST((CAST('2000-01-01 00:00:00' AS TIMESTAMP) AT TIME ZONE 'UTC') AT TIME ZONE $1 AS DATE) AS d;

SELECT * FROM (
         SELECT CASE WHEN c.table_name = $1 AND c.schema_name = COALESCE($2, current_schema()) THEN 0 WHEN c.table_name = $3 AND c.schema_name = COALESCE($4, current_schema()) THEN 1 WHEN c.table_name = $5 AND c.schema_name = COALESCE($6, current_schema()) THEN 2 WHEN c.table_name = $7 AND c.schema_name = COALESCE($8, current_schema()) THEN 3 END AS requested, c.column_name, c.data_type, c.column_index, t.comment
         FROM duckdb_columns() AS c
         LEFT JOIN duckdb_tables() AS t ON t.database_name = c.database_name AND t.schema_name = c.schema_name AND t.table_name = c.table_name
         WHERE c.database_name = current_database()
       ) WHERE requested IS NOT NULL
       ORDER BY requested, column_index;

SELECT current_setting('disabled_compression_methods') AS value;

SET disabled_compression_methods = 'fsst,dictionary';

SELECT table_name FROM duckdb_tables() WHERE schema_name = COALESCE($1, current_schema()) AND database_name = current_database() AND starts_with(table_name, $2) ORDER BY table_name;

SELECT
  (SELECT CAST(MAX("datetime") AS TIMESTAMP) FROM "fact__events" WHERE "datetime" <= CAST($1 AS TIMESTAMP)) AS newest,
  future.n AS future_n, future.latest AS future_latest, future.out_of_range AS future_out_of_range,
  (SELECT COUNT(*) FROM "fact__events") AS total,
  CAST(0 AS BIGINT) AS after_previous_cutoff
FROM (
  SELECT COUNT(*) AS n, CAST(MAX("datetime") AS VARCHAR) AS latest,
    COUNT(CASE WHEN "datetime" > CAST($2 AS TIMESTAMP) THEN 1 END) AS out_of_range
  FROM "fact__events" WHERE "datetime" > CAST($1 AS TIMESTAMP)
) AS future;

SELECT
  COUNT(CASE WHEN user_id IS NULL OR first_datetime IS NULL THEN 1 END) AS without_first_visit,
  COUNT(CASE WHEN FALSE THEN user_id END) AS old_rows,
  CAST(COALESCE(SUM(CASE WHEN FALSE THEN term END), 0) AS VARCHAR) AS old_fingerprint,
  COUNT(CASE WHEN first_datetime IS NOT NULL THEN user_id END) AS all_rows,
  CAST(COALESCE(SUM(term), 0) AS VARCHAR) AS all_fingerprint,
  CAST(MAX(CASE WHEN user_id IS NOT NULL THEN first_datetime END) AS TIMESTAMP) AS newest
FROM (
  SELECT user_id, first_datetime, CASE WHEN user_id IS NOT NULL AND first_datetime IS NOT NULL THEN hash(user_id, first_datetime) END AS term
  FROM "dim__users"
) AS u;

CREATE TEMP TABLE "_am_9dd73d90_<build>_users" AS
SELECT user_id, first_datetime, CAST((first_datetime AT TIME ZONE 'UTC') AT TIME ZONE $1 AS DATE) AS first_visit_date
FROM (
  SELECT user_id, MIN(first_datetime) AS first_datetime
  FROM "dim__users"
  WHERE user_id IS NOT NULL AND first_datetime IS NOT NULL
  GROUP BY user_id
) AS users;

CREATE TEMP TABLE "_am_9dd73d90_<build>_events" AS
SELECT e.user_id, e.event_name, e."datetime", u.first_datetime, u.first_visit_date
FROM "fact__events" AS e
LEFT JOIN "_am_9dd73d90_<build>_users" AS u ON u.user_id = e.user_id
WHERE e.event_name IN ($1, $2) AND e."datetime" <= CAST($3 AS TIMESTAMP);

CREATE TABLE "_am_9dd73d90_<build>_mart" AS
SELECT u.first_visit_date AS "date", u.first_datetime AS "datetime", u.user_id, CAST($1 AS VARCHAR) AS event_name,
  u.first_visit_date, u.first_datetime AS first_visit_datetime, 1 AS hours_from_first_visit, 1 AS days_from_first_visit
FROM "_am_9dd73d90_<build>_users" AS u
UNION ALL
SELECT CAST((s.first_at AT TIME ZONE 'UTC') AT TIME ZONE $2 AS DATE) AS "date", s.first_at AS "datetime", s.user_id, s.event_name, s.first_visit_date, s.first_datetime AS first_visit_datetime,
  CAST(date_diff('hour', date_trunc('hour', s.first_datetime), date_trunc('hour', s.first_at)) AS INTEGER) + 1 AS hours_from_first_visit,
  CAST((CAST((s.first_at AT TIME ZONE 'UTC') AT TIME ZONE $2 AS DATE)) - (s.first_visit_date) AS INTEGER) + 1 AS days_from_first_visit
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
  SELECT e.user_id, e.event_name, e."datetime", e.first_datetime, e.first_visit_date, CAST((e."datetime" AT TIME ZONE 'UTC') AT TIME ZONE $1 AS DATE) AS local_date
  FROM "_am_9dd73d90_<build>_events" AS e
  WHERE e.event_name IN ($2, $3)
    AND e."datetime" >= e.first_datetime
    AND e."datetime" <= CAST($4 AS TIMESTAMP)
),
funnel_step_2 AS (
  -- step 2 (key_event_1): the earliest occurrence inside its window, at or after step 1's
  SELECT e.user_id, MIN(e."datetime") AS at_2
  FROM funnel_events AS e
  WHERE e.event_name = $5 AND CAST((e.local_date) - (e.first_visit_date) AS INTEGER) + 1 <= CAST($6 AS INTEGER)
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
  SELECT e.user_id, e.event_name, e."datetime", e.first_datetime, e.first_visit_date, CAST((e."datetime" AT TIME ZONE 'UTC') AT TIME ZONE $1 AS DATE) AS local_date
  FROM "_am_9dd73d90_<build>_events" AS e
  WHERE e.event_name IN ($2, $3)
    AND e."datetime" >= e.first_datetime
    AND e."datetime" <= CAST($4 AS TIMESTAMP)
),
funnel_own AS (
  -- each step's earliest occurrence inside its window (users with events of the funnel only)
  SELECT e.user_id,
    MIN(CASE WHEN e.event_name = $5 AND CAST(date_diff('hour', date_trunc('hour', e.first_datetime), date_trunc('hour', e."datetime")) AS INTEGER) + 1 <= CAST($6 AS INTEGER) THEN e."datetime" END) AS own_2,
    MIN(CASE WHEN e.event_name = $7 AND CAST((e.local_date) - (e.first_visit_date) AS INTEGER) + 1 <= CAST($8 AS INTEGER) THEN e."datetime" END) AS own_3
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
  COUNT(CASE WHEN "datetime" > CAST($1 AS TIMESTAMP) THEN 1 END) AS after_cutoff,
  COUNT(CASE WHEN "datetime" > CAST($1 AS TIMESTAMP) AND "datetime" <= CAST($2 AS TIMESTAMP) THEN 1 END) AS after_cutoff_through_watermark,
  COUNT(CASE WHEN "datetime" <= CAST($1 AS TIMESTAMP) THEN 1 END) AS through_cutoff
FROM "fact__events" WHERE "datetime" > CAST($3 AS TIMESTAMP)
GROUP BY event_name;

DROP TABLE IF EXISTS "fact__first_activation_events";

ALTER TABLE "_am_9dd73d90_<build>_mart" RENAME TO "fact__first_activation_events";

COMMENT ON TABLE "fact__first_activation_events" IS 'activation-metrics mart: created and replaced by activation build; do not write to it';

DROP TABLE IF EXISTS "core__funnel_users";

ALTER TABLE "_am_9dd73d90_<build>_f0_full" RENAME TO "core__funnel_users";

COMMENT ON TABLE "core__funnel_users" IS 'activation-metrics funnel table: created and replaced by activation build; do not write to it';

DROP TABLE IF EXISTS "core_any__funnel_users";

ALTER TABLE "_am_9dd73d90_<build>_f1_full" RENAME TO "core_any__funnel_users";

COMMENT ON TABLE "core_any__funnel_users" IS 'activation-metrics funnel table: created and replaced by activation build; do not write to it';

CREATE TABLE "_am_9dd73d90_<build>_state" AS SELECT CAST($1 AS VARCHAR) AS definition_hash, CAST($2 AS VARCHAR) AS tracked_events, CAST($3 AS TIMESTAMP) AS watermark, CAST($4 AS TIMESTAMP) AS late_cutoff, CAST($5 AS BIGINT) AS rows_through_late_cutoff, CAST($6 AS VARCHAR) AS tracked_rows_through_late_cutoff, CAST($7 AS TIMESTAMP) AS users_watermark, CAST($8 AS BIGINT) AS users_rows, CAST($9 AS VARCHAR) AS users_fingerprint, CAST($10 AS VARCHAR) AS definition, CAST($11 AS BIGINT) AS data_version, CAST($12 AS BOOLEAN) AS publishing, CAST($13 AS VARCHAR) AS funnel_tables;

DROP TABLE IF EXISTS "fact__first_activation_events__build_state";

ALTER TABLE "_am_9dd73d90_<build>_state" RENAME TO "fact__first_activation_events__build_state";

COMMENT ON TABLE "fact__first_activation_events__build_state" IS 'activation-metrics build state: created and replaced by activation build; do not write to it';

SELECT table_name FROM duckdb_tables() WHERE schema_name = COALESCE($1, current_schema()) AND database_name = current_database() AND starts_with(table_name, $2) ORDER BY table_name;

SELECT COUNT(*) AS n FROM "fact__first_activation_events";

CHECKPOINT;

SET disabled_compression_methods = '';
