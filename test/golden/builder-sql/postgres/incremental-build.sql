SELECT n.i - 1 AS requested, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS data_type, obj_description(a.attrelid, 'pg_class') AS comment
       FROM unnest($1::text[]) WITH ORDINALITY AS n(name, i)
       JOIN pg_attribute AS a ON a.attrelid = to_regclass(n.name) AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY n.i, a.attnum;

SELECT CAST((CAST('2000-01-01 00:00:00' AS TIMESTAMP) AT TIME ZONE 'UTC') AT TIME ZONE CAST($1 AS TEXT) AS DATE) AS d;

SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked;

SELECT n.i - 1 AS requested, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS data_type, obj_description(a.attrelid, 'pg_class') AS comment
       FROM unnest($1::text[]) WITH ORDINALITY AS n(name, i)
       JOIN pg_attribute AS a ON a.attrelid = to_regclass(n.name) AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY n.i, a.attnum;

SELECT * FROM "fact__first_activation_events__build_state";

SELECT table_name FROM information_schema.tables WHERE table_schema = COALESCE($1, current_schema()) AND left(table_name, length($2)) = $2 ORDER BY table_name;

SELECT EXISTS (
  SELECT 1 FROM pg_index AS i
  JOIN pg_class AS ic ON ic.oid = i.indexrelid
  JOIN pg_am AS am ON am.oid = ic.relam
  JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
  WHERE i.indrelid = to_regclass($1) AND i.indisvalid AND i.indpred IS NULL AND am.amname IN ('btree', 'brin') AND a.attname = 'datetime'
) OR EXISTS (
  SELECT 1 FROM pg_partitioned_table AS pt
  JOIN pg_attribute AS a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
  WHERE pt.partrelid = to_regclass($1) AND pt.partstrat = 'r' AND a.attname = 'datetime'
) AS prunes;

SELECT
  CAST(MAX(CASE WHEN "datetime" <= CAST($1 AS TIMESTAMP) AND "datetime" > CAST($2 AS TIMESTAMP) THEN "datetime" END) AS TIMESTAMP) AS newest,
  COUNT(CASE WHEN "datetime" > CAST($1 AS TIMESTAMP) THEN 1 END) AS future_n,
  CAST(MAX(CASE WHEN "datetime" > CAST($1 AS TIMESTAMP) THEN "datetime" END) AS TEXT) AS future_latest,
  COUNT(CASE WHEN "datetime" > CAST($3 AS TIMESTAMP) THEN 1 END) AS future_out_of_range,
  COUNT(*) AS total,
  COUNT(CASE WHEN "datetime" > CAST($4 AS TIMESTAMP) THEN 1 END) AS after_previous_cutoff
FROM "fact__events";

SELECT
  COUNT(CASE WHEN user_id IS NULL OR first_datetime IS NULL THEN 1 END) AS without_first_visit,
  COUNT(CASE WHEN first_datetime <= CAST($1 AS TIMESTAMP) THEN user_id END) AS old_rows,
  CAST(COALESCE(SUM(CASE WHEN first_datetime <= CAST($1 AS TIMESTAMP) THEN term END), 0) AS TEXT) AS old_fingerprint,
  COUNT(CASE WHEN first_datetime IS NOT NULL THEN user_id END) AS all_rows,
  CAST(COALESCE(SUM(term), 0) AS TEXT) AS all_fingerprint,
  CAST(MAX(CASE WHEN user_id IS NOT NULL THEN first_datetime END) AS TIMESTAMP) AS newest
FROM (
  SELECT user_id, first_datetime, CASE WHEN user_id IS NOT NULL AND first_datetime IS NOT NULL THEN hashtextextended(CAST(user_id AS TEXT) || '|' || CAST(first_datetime AS TEXT), 0) END AS term
  FROM "dim__users"
) AS u;

CREATE TEMP TABLE "_am_9dd73d90_<build>_changed_users" AS
SELECT n.user_id, n.first_datetime, CAST((n.first_datetime AT TIME ZONE 'UTC') AT TIME ZONE CAST($1 AS TEXT) AS DATE) AS first_visit_date
FROM (
  SELECT user_id, MIN(first_datetime) AS first_datetime
  FROM "dim__users"
  WHERE user_id IS NOT NULL AND first_datetime IS NOT NULL AND first_datetime > CAST($2 AS TIMESTAMP)
  GROUP BY user_id
) AS n
WHERE NOT EXISTS (SELECT 1 FROM "fact__first_activation_events" AS m WHERE m.event_name = $3 AND m.user_id = n.user_id);

CREATE TEMP TABLE "_am_9dd73d90_<build>_gone_users" AS SELECT CAST(NULL AS text) AS user_id WHERE 1 = 0;

SELECT (SELECT COUNT(*) FROM "_am_9dd73d90_<build>_changed_users") AS changed, (SELECT COUNT(*) FROM "_am_9dd73d90_<build>_gone_users") AS gone,
  (SELECT CAST(MIN(first_datetime) AS TIMESTAMP) FROM "_am_9dd73d90_<build>_changed_users") AS earliest;

CREATE TEMP TABLE "_am_9dd73d90_<build>_range_events" AS
SELECT user_id, event_name, "datetime" FROM "fact__events"
WHERE event_name IN ($1, $2) AND "datetime" <= CAST($3 AS TIMESTAMP) AND "datetime" > CAST($4 AS TIMESTAMP);

CREATE TEMP TABLE "_am_9dd73d90_<build>_range_users" AS
SELECT m.user_id, MIN(CASE WHEN m.event_name = $3 THEN m.first_visit_datetime END) AS first_datetime, MIN(CASE WHEN m.event_name = $4 THEN m.first_visit_date END) AS first_visit_date,
  MIN(CASE WHEN m.event_name = $1 THEN m."datetime" END) AS stored_at_0,
  MIN(CASE WHEN m.event_name = $2 THEN m."datetime" END) AS stored_at_1
FROM "fact__first_activation_events" AS m
WHERE m.user_id IN (SELECT e.user_id FROM "_am_9dd73d90_<build>_range_events" AS e)
GROUP BY m.user_id
HAVING MIN(CASE WHEN m.event_name = $5 THEN m.first_visit_datetime END) IS NOT NULL
UNION ALL
SELECT user_id, first_datetime, first_visit_date, CAST(NULL AS TIMESTAMP) AS stored_at_0, CAST(NULL AS TIMESTAMP) AS stored_at_1 FROM "_am_9dd73d90_<build>_changed_users";

CREATE TEMP TABLE "_am_9dd73d90_<build>_scan" AS
SELECT CAST(NULL AS text) AS user_id, CAST(NULL AS TEXT) AS event_name, CAST(NULL AS TIMESTAMP) AS first_at,
  CAST(0 AS BIGINT) AS rows_scanned, CAST(0 AS BIGINT) AS rows_before_first_visit, CAST(0 AS BIGINT) AS rows_unknown_user,
  CAST(NULL AS TIMESTAMP) AS first_datetime, CAST(NULL AS DATE) AS first_visit_date, CAST(NULL AS TIMESTAMP) AS stored_at WHERE 1 = 0
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
  AND e."datetime" <= CAST($5 AS TIMESTAMP)
  AND e."datetime" > CAST($6 AS TIMESTAMP)
GROUP BY e.user_id, e.event_name;

CREATE TEMP TABLE "_am_9dd73d90_<build>_delta" AS
WITH scanned AS (
  SELECT user_id, event_name, first_at, first_datetime, first_visit_date, stored_at FROM "_am_9dd73d90_<build>_scan" WHERE first_at IS NOT NULL
),
upserts AS (
  SELECT CAST((s.first_at AT TIME ZONE 'UTC') AT TIME ZONE CAST($1 AS TEXT) AS DATE) AS "date", s.first_at AS "datetime", s.user_id, s.event_name, s.first_visit_date, s.first_datetime AS first_visit_datetime,
  CAST(EXTRACT(EPOCH FROM (date_trunc('hour', s.first_at) - date_trunc('hour', s.first_datetime))) / 3600 AS INTEGER) + 1 AS hours_from_first_visit,
  ((CAST((s.first_at AT TIME ZONE 'UTC') AT TIME ZONE CAST($1 AS TEXT) AS DATE)) - (s.first_visit_date)) + 1 AS days_from_first_visit, CASE WHEN s.stored_at IS NULL THEN 'insert' ELSE 'update' END AS action
  FROM scanned AS s
  WHERE s.stored_at IS NULL OR s.first_at < s.stored_at
  UNION ALL
  SELECT f.*, 'insert' AS action FROM (SELECT u.first_visit_date AS "date", u.first_datetime AS "datetime", u.user_id, CAST($2 AS TEXT) AS event_name,
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

CREATE TEMP TABLE "_am_9dd73d90_<build>_funnel_users" AS
SELECT f.user_id, f.first_datetime, f.first_visit_date, f.in_0, f.in_1 FROM (
  SELECT c.user_id, c.first_datetime, c.first_visit_date,
    CASE WHEN c.changed = 1 OR c.earliest_0 <= GREATEST(((CAST((c.first_visit_date + CAST($3 AS INTEGER)) AS TIMESTAMP) AT TIME ZONE CAST($4 AS TEXT)) AT TIME ZONE 'UTC'), (c.first_datetime + make_interval(secs => CAST($5 AS BIGINT)))) THEN 1 ELSE 0 END AS in_0,
    CASE WHEN c.changed = 1 OR c.earliest_1 <= GREATEST((date_trunc('hour', c.first_datetime) + make_interval(secs => CAST($8 AS BIGINT))), ((CAST((c.first_visit_date + CAST($9 AS INTEGER)) AS TIMESTAMP) AT TIME ZONE CAST($10 AS TEXT)) AT TIME ZONE 'UTC')) THEN 1 ELSE 0 END AS in_1
  FROM (
    SELECT x.user_id, MIN(x.first_datetime) AS first_datetime, MIN(x.first_visit_date) AS first_visit_date, MAX(x.changed) AS changed,
      MIN(CASE WHEN x.event_name IN ($6, $7) THEN x.first_at END) AS earliest_0,
      MIN(CASE WHEN x.event_name IN ($11, $12) THEN x.first_at END) AS earliest_1
    FROM (
      SELECT s.user_id, s.event_name, s.first_at, s.first_datetime, s.first_visit_date, 0 AS changed FROM "_am_9dd73d90_<build>_scan" AS s
      WHERE s.first_at IS NOT NULL AND s.event_name IN ($1, $2)
      UNION ALL
      SELECT user_id, CAST(NULL AS TEXT), CAST(NULL AS TIMESTAMP), first_datetime, first_visit_date, 1 FROM "_am_9dd73d90_<build>_changed_users"
    ) AS x
    GROUP BY x.user_id
  ) AS c
) AS f
WHERE f.in_0 = 1 OR f.in_1 = 1;

ANALYZE "_am_9dd73d90_<build>_funnel_users";

CREATE TEMP TABLE "_am_9dd73d90_<build>_f0_stored" AS
SELECT t."user_id" AS user_id, t."key_event_1_at", t."key_event_2_at" FROM "core__funnel_users" AS t
WHERE t."user_id" IN (SELECT u.user_id FROM (SELECT user_id, first_datetime, first_visit_date FROM "_am_9dd73d90_<build>_funnel_users" WHERE "in_0" = 1) AS u);

CREATE TEMP TABLE "_am_9dd73d90_<build>_f0_rows" AS
SELECT r.*, 'upsert' AS action FROM (
WITH funnel_users AS (
  -- the users to compute, with their first visit
  SELECT u.user_id, u.first_datetime, u.first_visit_date
  FROM "_am_9dd73d90_<build>_funnel_users" AS u
  WHERE u."in_0" = 1
),
funnel_events AS (
  -- the funnel's events at or after each user's first visit, up to the build's watermark
  SELECT e.user_id, e.event_name, e."datetime", u.first_datetime, u.first_visit_date, CAST((e."datetime" AT TIME ZONE 'UTC') AT TIME ZONE CAST($1 AS TEXT) AS DATE) AS local_date
  FROM (
  SELECT user_id, event_name, "datetime" FROM "_am_9dd73d90_<build>_range_events"
  UNION ALL
  SELECT k.user_id, CAST($2 AS TEXT) AS event_name, k."key_event_1_at" AS "datetime" FROM "_am_9dd73d90_<build>_f0_stored" AS k WHERE k."key_event_1_at" IS NOT NULL
  UNION ALL
  SELECT k.user_id, CAST($3 AS TEXT) AS event_name, k."key_event_2_at" AS "datetime" FROM "_am_9dd73d90_<build>_f0_stored" AS k WHERE k."key_event_2_at" IS NOT NULL
  ) AS e
  JOIN funnel_users AS u ON e.user_id = u.user_id
  WHERE e.event_name IN ($4, $5)
    AND e."datetime" >= u.first_datetime
    AND e."datetime" <= CAST($6 AS TIMESTAMP)
),
funnel_step_2 AS (
  -- step 2 (key_event_1): the earliest occurrence inside its window, at or after step 1's
  SELECT e.user_id, MIN(e."datetime") AS at_2
  FROM funnel_events AS e
  WHERE e.event_name = $7 AND ((e.local_date) - (e.first_visit_date)) + 1 <= CAST($8 AS INTEGER)
  GROUP BY e.user_id
),
funnel_step_3 AS (
  -- step 3 (key_event_2): the earliest occurrence inside its window, at or after step 2's
  SELECT e.user_id, MIN(e."datetime") AS at_3
  FROM funnel_events AS e
  JOIN funnel_step_2 AS s ON s.user_id = e.user_id AND e."datetime" >= s.at_2
  WHERE e.event_name = $9 AND e."datetime" <= (e.first_datetime + make_interval(secs => CAST($10 AS BIGINT)))
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
SELECT g.user_id, CAST(NULL AS DATE), CAST(NULL AS TIMESTAMP), CAST(NULL AS BOOLEAN), CAST(NULL AS TIMESTAMP), CAST(NULL AS TIMESTAMP), 'delete' FROM "_am_9dd73d90_<build>_gone_users" AS g;

CREATE TEMP TABLE "_am_9dd73d90_<build>_f1_rows" AS
SELECT r.*, 'upsert' AS action FROM (
WITH funnel_users AS (
  -- the users to compute, with their first visit
  SELECT u.user_id, u.first_datetime, u.first_visit_date
  FROM "_am_9dd73d90_<build>_funnel_users" AS u
  WHERE u."in_1" = 1
),
funnel_events AS (
  -- the funnel's events at or after each user's first visit, up to the build's watermark
  SELECT e.user_id, e.event_name, e."datetime", u.first_datetime, u.first_visit_date, CAST((e."datetime" AT TIME ZONE 'UTC') AT TIME ZONE CAST($1 AS TEXT) AS DATE) AS local_date
  FROM (
  SELECT user_id, event_name, "datetime" FROM "_am_9dd73d90_<build>_range_events"
  UNION ALL
  SELECT k.user_id, CAST($2 AS TEXT) AS event_name, k."stored_at_0" AS "datetime" FROM "_am_9dd73d90_<build>_range_users" AS k WHERE k."stored_at_0" IS NOT NULL
  UNION ALL
  SELECT k.user_id, CAST($3 AS TEXT) AS event_name, k."stored_at_1" AS "datetime" FROM "_am_9dd73d90_<build>_range_users" AS k WHERE k."stored_at_1" IS NOT NULL
  ) AS e
  JOIN funnel_users AS u ON e.user_id = u.user_id
  WHERE e.event_name IN ($4, $5)
    AND e."datetime" >= u.first_datetime
    AND e."datetime" <= CAST($6 AS TIMESTAMP)
),
funnel_own AS (
  -- each step's earliest occurrence inside its window (users with events of the funnel only)
  SELECT e.user_id,
    MIN(CASE WHEN e.event_name = $7 AND CAST(EXTRACT(EPOCH FROM (date_trunc('hour', e."datetime") - date_trunc('hour', e.first_datetime))) / 3600 AS INTEGER) + 1 <= CAST($8 AS INTEGER) THEN e."datetime" END) AS own_2,
    MIN(CASE WHEN e.event_name = $9 AND ((e.local_date) - (e.first_visit_date)) + 1 <= CAST($10 AS INTEGER) THEN e."datetime" END) AS own_3
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
SELECT g.user_id, CAST(NULL AS DATE), CAST(NULL AS TIMESTAMP), CAST(NULL AS BOOLEAN), CAST(NULL AS TIMESTAMP), CAST(NULL AS TIMESTAMP), 'delete' FROM "_am_9dd73d90_<build>_gone_users" AS g;

SELECT COUNT(*) AS n FROM "_am_9dd73d90_<build>_f1_rows";

SELECT event_name,
  COUNT(CASE WHEN "datetime" > CAST($1 AS TIMESTAMP) THEN 1 END) AS after_cutoff,
  COUNT(CASE WHEN "datetime" > CAST($1 AS TIMESTAMP) AND "datetime" <= CAST($2 AS TIMESTAMP) THEN 1 END) AS after_cutoff_through_watermark,
  COUNT(CASE WHEN "datetime" <= CAST($1 AS TIMESTAMP) THEN 1 END) AS through_cutoff
FROM "fact__events" WHERE "datetime" > CAST($3 AS TIMESTAMP)
GROUP BY event_name;

INSERT INTO "fact__first_activation_events" ("date", "datetime", "user_id", "event_name", "first_visit_date", "first_visit_datetime", "hours_from_first_visit", "days_from_first_visit") SELECT "date", "datetime", "user_id", "event_name", "first_visit_date", "first_visit_datetime", "hours_from_first_visit", "days_from_first_visit" FROM "_am_9dd73d90_<build>_delta" WHERE action <> 'delete';

DELETE FROM "core__funnel_users" WHERE "user_id" IN (SELECT "user_id" FROM "_am_9dd73d90_<build>_f0_rows");

INSERT INTO "core__funnel_users" ("user_id", "cohort_date", "first_visit_datetime", "excluded", "key_event_1_at", "key_event_2_at") SELECT "user_id", "cohort_date", "first_visit_datetime", "excluded", "key_event_1_at", "key_event_2_at" FROM "_am_9dd73d90_<build>_f0_rows" WHERE action = 'upsert';

DELETE FROM "fact__first_activation_events__build_state";

INSERT INTO "fact__first_activation_events__build_state" SELECT CAST($1 AS TEXT) AS definition_hash, CAST($2 AS TEXT) AS tracked_events, CAST($3 AS TIMESTAMP) AS watermark, CAST($4 AS TIMESTAMP) AS late_cutoff, CAST($5 AS BIGINT) AS rows_through_late_cutoff, CAST($6 AS TEXT) AS tracked_rows_through_late_cutoff, CAST($7 AS TIMESTAMP) AS users_watermark, CAST($8 AS BIGINT) AS users_rows, CAST($9 AS TEXT) AS users_fingerprint, CAST($10 AS TEXT) AS definition, CAST($11 AS BIGINT) AS data_version, CAST($12 AS BOOLEAN) AS publishing, CAST($13 AS TEXT) AS funnel_tables;

SELECT table_name FROM information_schema.tables WHERE table_schema = COALESCE($1, current_schema()) AND left(table_name, length($2)) = $2 ORDER BY table_name;

DROP TABLE IF EXISTS "_am_9dd73d90_<build>_changed_users", "_am_9dd73d90_<build>_gone_users", "_am_9dd73d90_<build>_range_events", "_am_9dd73d90_<build>_range_users", "_am_9dd73d90_<build>_scan", "_am_9dd73d90_<build>_delta", "_am_9dd73d90_<build>_funnel_users", "_am_9dd73d90_<build>_f0_stored", "_am_9dd73d90_<build>_f0_rows", "_am_9dd73d90_<build>_f1_rows";

SELECT COUNT(*) AS n FROM "fact__first_activation_events";

SELECT pg_advisory_unlock(hashtextextended($1, 0));
