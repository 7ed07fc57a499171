-- Seed 4.2 (beginner): how many users did key_event_1 for the first time, per day (no window).
-- activation_events exposes the mart's rows; key_event_1_users counts users whose first
-- key_event_1 is on that row's date.
SELECT
    DATE_TRUNC('day', date) AS date,
    MEASURE(key_event_1_users) AS users_cnt
FROM activation_events
GROUP BY 1
ORDER BY 1;
