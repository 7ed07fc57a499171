-- The seed article's dbt model fact__first_activation_events (section 5), full-refresh branch
-- (is_incremental() false), translated from BigQuery to DuckDB as literally as possible (Trino runs it unchanged).
-- Rendered by bench/seed/seed-model.ts like dbt renders Jinja:
--   {{ ref('fact__events') }}, {{ ref('dim__users') }}  -> the spec's quoted source tables
--   {{ tracked_events }}  -> bound placeholders for the spec's tracked events (the seed pastes the
--                            list literally: 'Key Event 1', 'Key Event 2', ...)
-- Translation choices (everything else is the seed's text):
--   TIMESTAMP_TRUNC(x, HOUR|DAY)       -> date_trunc('hour'|'day', x)     (UTC timestamps, as in BigQuery)
--   TIMESTAMP_DIFF(a, b, HOUR|DAY)     -> date_diff('hour'|'day', b, a)   (DuckDB takes start, end)
--   NULL AS hours/days_from_first_visit is kept (the seed's first_visit rows carry NULL windows).
-- The materialization (CREATE TABLE ... AS this SELECT) is dbt's and lives in seed-model.ts.
WITH
CTE_first_visits_raw AS (
    SELECT
        user_id,
        first_date AS date,
        first_datetime AS datetime
    FROM
        {{ ref('dim__users') }}
),

CTE_events_raw AS (
    SELECT
        user_id,
        event_name,
        MIN(date) AS date,
        MIN(datetime) AS datetime
    FROM
        {{ ref('fact__events') }}
    WHERE TRUE
        AND event_name IN (
            {{ tracked_events }}
        )
    GROUP BY
        1, 2
)

SELECT
    date,
    datetime,
    user_id,
    'first_visit' AS event_name,
    date AS first_visit_date,
    datetime AS first_visit_datetime,
    NULL AS hours_from_first_visit,
    NULL AS days_from_first_visit
FROM
    CTE_first_visits_raw

UNION ALL

SELECT
    FCT.date,
    FCT.datetime,
    FCT.user_id,
    FCT.event_name,
    DIM.date AS first_visit_date,
    DIM.datetime AS first_visit_datetime,
    date_diff(
        'hour',
        date_trunc('hour', DIM.datetime),
        date_trunc('hour', FCT.datetime)
    ) + 1 AS hours_from_first_visit, -- 1부터 시작
    date_diff(
        'day',
        date_trunc('day', DIM.datetime),
        date_trunc('day', FCT.datetime)
    ) + 1 AS days_from_first_visit -- 1부터 시작
FROM
    CTE_events_raw FCT
INNER JOIN
    CTE_first_visits_raw DIM
    ON FCT.user_id = DIM.user_id
