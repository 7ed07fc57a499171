SELECT table_schema, table_name, column_name, data_type FROM "iceberg".information_schema.columns
         WHERE table_schema IN (?) AND table_name IN (?, ?) ORDER BY table_schema, table_name, ordinal_position;

SELECT schema_name, table_name, comment FROM system.metadata.table_comments WHERE catalog_name = ? AND schema_name IN (?) AND table_name IN (?, ?);

SELECT CAST(at_timezone(with_timezone(CAST('2000-01-01 00:00:00' AS TIMESTAMP(6)), 'UTC'), $1) AS DATE) AS d;

MERGE INTO "iceberg"."<test schema>"."_am_build_locks" AS l
USING (SELECT ? AS lock_key, ? AS token, ? AS holder, CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP(6)) AS now) AS s
ON l.lock_key = s.lock_key
WHEN MATCHED AND l.expires_at < s.now THEN UPDATE SET token = s.token, holder = s.holder, acquired_at = s.now, expires_at = s.now + INTERVAL '120' SECOND
WHEN NOT MATCHED THEN INSERT (lock_key, token, holder, acquired_at, expires_at) VALUES (s.lock_key, s.token, s.holder, s.now, s.now + INTERVAL '120' SECOND);

SELECT table_schema, table_name, column_name, data_type FROM "iceberg".information_schema.columns
         WHERE table_schema IN (?) AND table_name IN (?, ?, ?, ?) ORDER BY table_schema, table_name, ordinal_position;

SELECT schema_name, table_name, comment FROM system.metadata.table_comments WHERE catalog_name = ? AND schema_name IN (?) AND table_name IN (?, ?, ?, ?);

SELECT * FROM "fact__first_activation_events__build_state";

SELECT table_name FROM "iceberg".information_schema.tables WHERE table_schema = ? AND starts_with(table_name, ?) ORDER BY table_name;

SELECT
  CAST(MAX(CASE WHEN "datetime" <= CAST($1 AS TIMESTAMP(6)) AND "datetime" > CAST($2 AS TIMESTAMP(6)) THEN "datetime" END) AS TIMESTAMP(6)) AS newest,
  COUNT(CASE WHEN "datetime" > CAST($1 AS TIMESTAMP(6)) THEN 1 END) AS future_n,
  CAST(MAX(CASE WHEN "datetime" > CAST($1 AS TIMESTAMP(6)) THEN "datetime" END) AS VARCHAR) AS future_latest,
  COUNT(CASE WHEN "datetime" > CAST($3 AS TIMESTAMP(6)) THEN 1 END) AS future_out_of_range,
  (SELECT COUNT(*) FROM "fact__events") AS total,
  COUNT(CASE WHEN "datetime" > CAST($4 AS TIMESTAMP(6)) THEN 1 END) AS after_previous_cutoff
FROM "fact__events" WHERE "datetime" > CAST($4 AS TIMESTAMP(6));

SELECT
  COUNT(CASE WHEN user_id IS NULL OR first_datetime IS NULL THEN 1 END) AS without_first_visit,
  COUNT(CASE WHEN first_datetime <= CAST($1 AS TIMESTAMP(6)) THEN user_id END) AS old_rows,
  CAST(COALESCE(SUM(CASE WHEN first_datetime <= CAST($1 AS TIMESTAMP(6)) THEN term END), 0) AS VARCHAR) AS old_fingerprint,
  COUNT(CASE WHEN first_datetime IS NOT NULL THEN user_id END) AS all_rows,
  CAST(COALESCE(SUM(term), 0) AS VARCHAR) AS all_fingerprint,
  CAST(MAX(CASE WHEN user_id IS NOT NULL THEN first_datetime END) AS TIMESTAMP(6)) AS newest
FROM (
  SELECT user_id, first_datetime, CASE WHEN user_id IS NOT NULL AND first_datetime IS NOT NULL THEN CAST(from_big_endian_64(xxhash64(to_utf8(CAST(user_id AS VARCHAR) || '|' || CAST(CAST(first_datetime AS TIMESTAMP(6)) AS VARCHAR)))) AS DECIMAL(38, 0)) END AS term
  FROM "dim__users"
) AS u;

CREATE TABLE "_am_9dd73d90_<build>_changed_users" AS
SELECT n.user_id, n.first_datetime, CAST(at_timezone(with_timezone(n.first_datetime, 'UTC'), $1) AS DATE) AS first_visit_date
FROM (
  SELECT user_id, MIN(first_datetime) AS first_datetime
  FROM "dim__users"
  WHERE user_id IS NOT NULL AND first_datetime IS NOT NULL AND first_datetime > CAST($2 AS TIMESTAMP(6))
  GROUP BY user_id
) AS n
WHERE NOT EXISTS (SELECT 1 FROM "fact__first_activation_events" AS m WHERE m.event_name = $3 AND m.user_id = n.user_id);

CREATE TABLE "_am_9dd73d90_<build>_gone_users" AS SELECT CAST(NULL AS varchar) AS user_id WHERE 1 = 0;

SELECT (SELECT COUNT(*) FROM "_am_9dd73d90_<build>_changed_users") AS changed, (SELECT COUNT(*) FROM "_am_9dd73d90_<build>_gone_users") AS gone,
  (SELECT CAST(MIN(first_datetime) AS TIMESTAMP(6)) FROM "_am_9dd73d90_<build>_changed_users") AS earliest;

CREATE TABLE "_am_9dd73d90_<build>_range_events" AS
SELECT user_id, event_name, "datetime" FROM "fact__events"
WHERE event_name IN ($1, $2) AND "datetime" <= CAST($3 AS TIMESTAMP(6)) AND "datetime" > CAST($4 AS TIMESTAMP(6));

CREATE TABLE "_am_9dd73d90_<build>_range_users" AS
SELECT m.user_id, MIN(CASE WHEN m.event_name = $3 THEN m.first_visit_datetime END) AS first_datetime, MIN(CASE WHEN m.event_name = $4 THEN m.first_visit_date END) AS first_visit_date,
  MIN(CASE WHEN m.event_name = $1 THEN m."datetime" END) AS stored_at_0,
  MIN(CASE WHEN m.event_name = $2 THEN m."datetime" END) AS stored_at_1
FROM "fact__first_activation_events" AS m
WHERE m.user_id IN (SELECT e.user_id FROM "_am_9dd73d90_<build>_range_events" AS e)
GROUP BY m.user_id
HAVING MIN(CASE WHEN m.event_name = $5 THEN m.first_visit_datetime END) IS NOT NULL
UNION ALL
SELECT user_id, first_datetime, first_visit_date, CAST(NULL AS TIMESTAMP(6)) AS stored_at_0, CAST(NULL AS TIMESTAMP(6)) AS stored_at_1 FROM "_am_9dd73d90_<build>_changed_users";

CREATE TABLE "_am_9dd73d90_<build>_scan" AS
SELECT CAST(NULL AS varchar) AS user_id, CAST(NULL AS VARCHAR) AS event_name, CAST(NULL AS TIMESTAMP(6)) AS first_at,
  CAST(0 AS BIGINT) AS rows_scanned, CAST(0 AS BIGINT) AS rows_before_first_visit, CAST(0 AS BIGINT) AS rows_unknown_user,
  CAST(NULL AS TIMESTAMP(6)) AS first_datetime, CAST(NULL AS DATE) AS first_visit_date, CAST(NULL AS TIMESTAMP(6)) AS stored_at WHERE 1 = 0
UNION ALL
SELECT e.user_id, e.event_name,
  MIN(CASE WHEN e."datetime" >= u.first_datetime THEN e."datetime" END) AS first_at,
  COUNT(*) AS rows_scanned,
  COUNT(CASE WHEN e."datetime" < u.first_datetime THEN 1 END) AS rows_before_first_visit,
  COUNT(CASE WHEN u.user_id IS NULL THEN 1 END) AS rows_unknown_user,
  MIN(u.first_datetime) AS first_datetime, MIN(u.first_visit_date) AS first_visit_date, MIN(CASE WHEN e.event_name = $1 THEN u.stored_at_0 WHEN e.event_name = $2 THEN u.stored_at_1 END) AS stored_at
FROM "_am_9dd73d90_<build>_range_events" AS e
LEFT JOIN "_am_9dd73d90_<build>_range_users" AS u ON u.user_id = e.user_id
WHERE e.event_name IN ($3, $4)
  AND e."datetime" <= CAST($5 AS TIMESTAMP(6))
  AND e."datetime" > CAST($6 AS TIMESTAMP(6))
GROUP BY e.user_id, e.event_name;

CREATE TABLE "_am_9dd73d90_<build>_delta" AS
WITH scanned AS (
  SELECT user_id, event_name, first_at, first_datetime, first_visit_date, stored_at FROM "_am_9dd73d90_<build>_scan" WHERE first_at IS NOT NULL
),
upserts AS (
  SELECT CAST(at_timezone(with_timezone(s.first_at, 'UTC'), $1) AS DATE) AS "date", s.first_at AS "datetime", s.user_id, s.event_name, s.first_visit_date, s.first_datetime AS first_visit_datetime,
  CAST(date_diff('hour', date_trunc('hour', s.first_datetime), date_trunc('hour', s.first_at)) AS INTEGER) + 1 AS hours_from_first_visit,
  CAST(date_diff('day', s.first_visit_date, CAST(at_timezone(with_timezone(s.first_at, 'UTC'), $1) AS DATE)) AS INTEGER) + 1 AS days_from_first_visit, CASE WHEN s.stored_at IS NULL THEN 'insert' ELSE 'update' END AS action
  FROM scanned AS s
  WHERE s.stored_at IS NULL OR s.first_at < s.stored_at
  UNION ALL
  SELECT f.*, 'insert' AS action FROM (SELECT u.first_visit_date AS "date", u.first_datetime AS "datetime", u.user_id, CAST($2 AS VARCHAR) AS event_name,
  u.first_visit_date, u.first_datetime AS first_visit_datetime, 1 AS hours_from_first_visit, 1 AS days_from_first_visit
FROM "_am_9dd73d90_<build>_changed_users" AS u) AS f
)
SELECT * FROM upserts;

SELECT s.*, d.* FROM (
  SELECT
    COALESCE(SUM(rows_scanned), 0) AS rows_scanned,
    COALESCE(SUM(rows_before_first_visit), 0) AS rows_before_first_visit,
    COALESCE(SUM(rows_unknown_user), 0) AS rows_unknown_user,
    COUNT(DISTINCT CASE WHEN rows_unknown_user > 0 THEN user_id END) AS unknown_users
  FROM "_am_9dd73d90_<build>_scan"
) AS s CROSS JOIN (
  SELECT COUNT(CASE WHEN action = 'insert' THEN 1 END) AS inserted, COUNT(CASE WHEN action = 'update' THEN 1 END) AS updated,
    COUNT(CASE WHEN action = 'delete' THEN 1 END) AS deleted, COUNT(DISTINCT CASE WHEN action <> 'insert' THEN user_id END) AS stored_users
  FROM "_am_9dd73d90_<build>_delta"
) AS d;

CREATE TABLE "_am_9dd73d90_<build>_funnel_users" AS
SELECT f.user_id, f.first_datetime, f.first_visit_date, f.in_0, f.in_1 FROM (
  SELECT c.user_id, c.first_datetime, c.first_visit_date,
    CASE WHEN c.changed = 1 OR c.earliest_0 <= GREATEST(CAST(at_timezone(with_timezone(CAST(date_add('day', CAST($3 AS INTEGER), c.first_visit_date) AS TIMESTAMP(6)), $4), 'UTC') AS TIMESTAMP(6)), date_add('second', CAST($5 AS BIGINT), c.first_datetime)) THEN 1 ELSE 0 END AS in_0,
    CASE WHEN c.changed = 1 OR c.earliest_1 <= GREATEST(date_add('second', CAST($8 AS BIGINT), date_trunc('hour', c.first_datetime)), CAST(at_timezone(with_timezone(CAST(date_add('day', CAST($9 AS INTEGER), c.first_visit_date) AS TIMESTAMP(6)), $10), 'UTC') AS TIMESTAMP(6))) THEN 1 ELSE 0 END AS in_1
  FROM (
    SELECT x.user_id, MIN(x.first_datetime) AS first_datetime, MIN(x.first_visit_date) AS first_visit_date, MAX(x.changed) AS changed,
      MIN(CASE WHEN x.event_name IN ($6, $7) THEN x.first_at END) AS earliest_0,
      MIN(CASE WHEN x.event_name IN ($11, $12) THEN x.first_at END) AS earliest_1
    FROM (
      SELECT s.user_id, s.event_name, s.first_at, s.first_datetime, s.first_visit_date, 0 AS changed FROM "_am_9dd73d90_<build>_scan" AS s
      WHERE s.first_at IS NOT NULL AND s.event_name IN ($1, $2)
      UNION ALL
      SELECT user_id, CAST(NULL AS VARCHAR), CAST(NULL AS TIMESTAMP(6)), first_datetime, first_visit_date, 1 FROM "_am_9dd73d90_<build>_changed_users"
    ) AS x
    GROUP BY x.user_id
  ) AS c
) AS f
WHERE f.in_0 = 1 OR f.in_1 = 1;

CREATE TABLE "_am_9dd73d90_<build>_f0_stored" AS
SELECT t."user_id" AS user_id, t."key_event_1_at", t."key_event_2_at" FROM "core__funnel_users" AS t
WHERE t."user_id" IN (SELECT u.user_id FROM (SELECT user_id, first_datetime, first_visit_date FROM "_am_9dd73d90_<build>_funnel_users" WHERE "in_0" = 1) AS u);

CREATE TABLE "_am_9dd73d90_<build>_f0_rows" AS
SELECT r.*, 'upsert' AS action FROM (
WITH funnel_users AS (
  -- the users to compute, with their first visit
  SELECT u.user_id, u.first_datetime, u.first_visit_date
  FROM "_am_9dd73d90_<build>_funnel_users" AS u
  WHERE u."in_0" = 1
),
funnel_events AS (
  -- the funnel's events at or after each user's first visit, up to the build's watermark
  SELECT e.user_id, e.event_name, e."datetime", u.first_datetime, u.first_visit_date, CAST(at_timezone(with_timezone(e."datetime", 'UTC'), $1) AS DATE) AS local_date
  FROM (
  SELECT user_id, event_name, "datetime" FROM "_am_9dd73d90_<build>_range_events"
  UNION ALL
  SELECT k.user_id, CAST($2 AS VARCHAR) AS event_name, k."key_event_1_at" AS "datetime" FROM "_am_9dd73d90_<build>_f0_stored" AS k WHERE k."key_event_1_at" IS NOT NULL
  UNION ALL
  SELECT k.user_id, CAST($3 AS VARCHAR) AS event_name, k."key_event_2_at" AS "datetime" FROM "_am_9dd73d90_<build>_f0_stored" AS k WHERE k."key_event_2_at" IS NOT NULL
  ) AS e
  JOIN funnel_users AS u ON e.user_id = u.user_id
  WHERE e.event_name IN ($4, $5)
    AND e."datetime" >= u.first_datetime
    AND e."datetime" <= CAST($6 AS TIMESTAMP(6))
),
funnel_step_2 AS (
  -- step 2 (key_event_1): the earliest occurrence inside its window, at or after step 1's
  SELECT e.user_id, MIN(e."datetime") AS at_2
  FROM funnel_events AS e
  WHERE e.event_name = $7 AND CAST(date_diff('day', e.first_visit_date, e.local_date) AS INTEGER) + 1 <= CAST($8 AS INTEGER)
  GROUP BY e.user_id
),
funnel_step_3 AS (
  -- step 3 (key_event_2): the earliest occurrence inside its window, at or after step 2's
  SELECT e.user_id, MIN(e."datetime") AS at_3
  FROM funnel_events AS e
  JOIN funnel_step_2 AS s ON s.user_id = e.user_id AND e."datetime" >= s.at_2
  WHERE e.event_name = $9 AND e."datetime" <= date_add('second', CAST($10 AS BIGINT), e.first_datetime)
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
) AS f
) AS r
UNION ALL
SELECT g.user_id, CAST(NULL AS DATE), CAST(NULL AS TIMESTAMP(6)), CAST(NULL AS BOOLEAN), CAST(NULL AS TIMESTAMP(6)), CAST(NULL AS TIMESTAMP(6)), 'delete' FROM "_am_9dd73d90_<build>_gone_users" AS g;

CREATE TABLE "_am_9dd73d90_<build>_f1_rows" AS
SELECT r.*, 'upsert' AS action FROM (
WITH funnel_users AS (
  -- the users to compute, with their first visit
  SELECT u.user_id, u.first_datetime, u.first_visit_date
  FROM "_am_9dd73d90_<build>_funnel_users" AS u
  WHERE u."in_1" = 1
),
funnel_events AS (
  -- the funnel's events at or after each user's first visit, up to the build's watermark
  SELECT e.user_id, e.event_name, e."datetime", u.first_datetime, u.first_visit_date, CAST(at_timezone(with_timezone(e."datetime", 'UTC'), $1) AS DATE) AS local_date
  FROM (
  SELECT user_id, event_name, "datetime" FROM "_am_9dd73d90_<build>_range_events"
  UNION ALL
  SELECT k.user_id, CAST($2 AS VARCHAR) AS event_name, k."stored_at_0" AS "datetime" FROM "_am_9dd73d90_<build>_range_users" AS k WHERE k."stored_at_0" IS NOT NULL
  UNION ALL
  SELECT k.user_id, CAST($3 AS VARCHAR) AS event_name, k."stored_at_1" AS "datetime" FROM "_am_9dd73d90_<build>_range_users" AS k WHERE k."stored_at_1" IS NOT NULL
  ) AS e
  JOIN funnel_users AS u ON e.user_id = u.user_id
  WHERE e.event_name IN ($4, $5)
    AND e."datetime" >= u.first_datetime
    AND e."datetime" <= CAST($6 AS TIMESTAMP(6))
),
funnel_own AS (
  -- each step's earliest occurrence inside its window (users with events of the funnel only)
  SELECT e.user_id,
    MIN(CASE WHEN e.event_name = $7 AND CAST(date_diff('hour', date_trunc('hour', e.first_datetime), date_trunc('hour', e."datetime")) AS INTEGER) + 1 <= CAST($8 AS INTEGER) THEN e."datetime" END) AS own_2,
    MIN(CASE WHEN e.event_name = $9 AND CAST(date_diff('day', e.first_visit_date, e.local_date) AS INTEGER) + 1 <= CAST($10 AS INTEGER) THEN e."datetime" END) AS own_3
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
) AS f
) AS r
UNION ALL
SELECT g.user_id, CAST(NULL AS DATE), CAST(NULL AS TIMESTAMP(6)), CAST(NULL AS BOOLEAN), CAST(NULL AS TIMESTAMP(6)), CAST(NULL AS TIMESTAMP(6)), 'delete' FROM "_am_9dd73d90_<build>_gone_users" AS g;

SELECT COUNT(*) AS n FROM "_am_9dd73d90_<build>_f1_rows";

SELECT event_name,
  COUNT(CASE WHEN "datetime" > CAST($1 AS TIMESTAMP(6)) THEN 1 END) AS after_cutoff,
  COUNT(CASE WHEN "datetime" > CAST($1 AS TIMESTAMP(6)) AND "datetime" <= CAST($2 AS TIMESTAMP(6)) THEN 1 END) AS after_cutoff_through_watermark,
  COUNT(CASE WHEN "datetime" <= CAST($1 AS TIMESTAMP(6)) THEN 1 END) AS through_cutoff
FROM "fact__events" WHERE "datetime" > CAST($3 AS TIMESTAMP(6))
GROUP BY event_name;

CREATE OR REPLACE TABLE "fact__first_activation_events__build_state" COMMENT 'activation-metrics build state: created and replaced by activation build; do not write to it' AS SELECT CAST($1 AS VARCHAR) AS definition_hash, CAST($2 AS VARCHAR) AS tracked_events, CAST($3 AS TIMESTAMP(6)) AS watermark, CAST($4 AS TIMESTAMP(6)) AS late_cutoff, CAST($5 AS BIGINT) AS rows_through_late_cutoff, CAST($6 AS VARCHAR) AS tracked_rows_through_late_cutoff, CAST($7 AS TIMESTAMP(6)) AS users_watermark, CAST($8 AS BIGINT) AS users_rows, CAST($9 AS VARCHAR) AS users_fingerprint, CAST($10 AS VARCHAR) AS definition, CAST($11 AS BIGINT) AS data_version, CAST($12 AS BOOLEAN) AS publishing, CAST($13 AS VARCHAR) AS funnel_tables;

MERGE INTO "fact__first_activation_events" AS m
USING "_am_9dd73d90_<build>_delta" AS d
ON m.user_id = d.user_id AND m.event_name = d.event_name
WHEN MATCHED AND d.action = 'delete' THEN DELETE
WHEN MATCHED THEN UPDATE SET "date" = d."date", "datetime" = d."datetime", "first_visit_date" = d."first_visit_date", "first_visit_datetime" = d."first_visit_datetime", "hours_from_first_visit" = d."hours_from_first_visit", "days_from_first_visit" = d."days_from_first_visit"
WHEN NOT MATCHED AND d.action <> 'delete' THEN INSERT ("date", "datetime", "user_id", "event_name", "first_visit_date", "first_visit_datetime", "hours_from_first_visit", "days_from_first_visit") VALUES (d."date", d."datetime", d."user_id", d."event_name", d."first_visit_date", d."first_visit_datetime", d."hours_from_first_visit", d."days_from_first_visit");

MERGE INTO "core__funnel_users" AS t
USING "_am_9dd73d90_<build>_f0_rows" AS r
ON t."user_id" = r."user_id"
WHEN MATCHED AND r.action = 'delete' THEN DELETE
WHEN MATCHED THEN UPDATE SET "cohort_date" = r."cohort_date", "first_visit_datetime" = r."first_visit_datetime", "excluded" = r."excluded", "key_event_1_at" = r."key_event_1_at", "key_event_2_at" = r."key_event_2_at"
WHEN NOT MATCHED AND r.action = 'upsert' THEN INSERT ("user_id", "cohort_date", "first_visit_datetime", "excluded", "key_event_1_at", "key_event_2_at") VALUES (r."user_id", r."cohort_date", r."first_visit_datetime", r."excluded", r."key_event_1_at", r."key_event_2_at");

CREATE OR REPLACE TABLE "fact__first_activation_events__build_state" COMMENT 'activation-metrics build state: created and replaced by activation build; do not write to it' AS SELECT CAST($1 AS VARCHAR) AS definition_hash, CAST($2 AS VARCHAR) AS tracked_events, CAST($3 AS TIMESTAMP(6)) AS watermark, CAST($4 AS TIMESTAMP(6)) AS late_cutoff, CAST($5 AS BIGINT) AS rows_through_late_cutoff, CAST($6 AS VARCHAR) AS tracked_rows_through_late_cutoff, CAST($7 AS TIMESTAMP(6)) AS users_watermark, CAST($8 AS BIGINT) AS users_rows, CAST($9 AS VARCHAR) AS users_fingerprint, CAST($10 AS VARCHAR) AS definition, CAST($11 AS BIGINT) AS data_version, CAST($12 AS BOOLEAN) AS publishing, CAST($13 AS VARCHAR) AS funnel_tables;

SELECT table_name FROM "iceberg".information_schema.tables WHERE table_schema = ? AND starts_with(table_name, ?) ORDER BY table_name;

DROP TABLE IF EXISTS "_am_9dd73d90_<build>_changed_users";

DROP TABLE IF EXISTS "_am_9dd73d90_<build>_delta";

DROP TABLE IF EXISTS "_am_9dd73d90_<build>_f0_rows";

DROP TABLE IF EXISTS "_am_9dd73d90_<build>_f0_stored";

DROP TABLE IF EXISTS "_am_9dd73d90_<build>_f1_rows";

DROP TABLE IF EXISTS "_am_9dd73d90_<build>_funnel_users";

DROP TABLE IF EXISTS "_am_9dd73d90_<build>_gone_users";

DROP TABLE IF EXISTS "_am_9dd73d90_<build>_range_events";

DROP TABLE IF EXISTS "_am_9dd73d90_<build>_range_users";

DROP TABLE IF EXISTS "_am_9dd73d90_<build>_scan";

SELECT COUNT(*) AS n FROM "fact__first_activation_events";

DELETE FROM "iceberg"."<test schema>"."_am_build_locks" WHERE lock_key = ? AND token = ?;

SELECT COUNT(*) AS n FROM "iceberg"."<test schema>"."_am_build_locks$snapshots" WHERE committed_at < current_timestamp - INTERVAL '1' HOUR;
