/** A small hand-made log whose funnel numbers are worked out by hand in test/query-funnel.test.ts. */
import type { SourceEvent, SourceUser } from './sources.ts';

// spec timezone Asia/Seoul (UTC+9). Times below are UTC; KST in comments.
const US = 'United States';
const KR = 'South Korea';
export const USERS: SourceUser[] = [
  { user_id: 'u1', first_datetime: '2025-01-01 01:00:00', country: US }, // KST Jan 1 10:00
  { user_id: 'u2', first_datetime: '2025-01-01 02:00:00', country: US }, // KST Jan 1 11:00
  { user_id: 'u3', first_datetime: '2025-01-01 10:00:00', country: KR }, // KST Jan 1 19:00
  { user_id: 'u4', first_datetime: '2025-01-01 14:30:00', country: KR }, // KST Jan 1 23:30
  { user_id: 'u5', first_datetime: '2025-01-02 03:10:00', country: KR }, // KST Jan 2 12:10
  { user_id: 'u6', first_datetime: '2025-01-01 16:00:00', country: US }, // KST Jan 2 01:00: a Jan 2 cohort, Jan 1 in UTC
  { user_id: 'u7', first_datetime: '2025-01-02 20:00:00', country: US }, // KST Jan 3 05:00
  { user_id: 'u8', first_datetime: '2025-04-06 12:00:00', country: 'Chile' }, // KST Apr 6 21:00 (Santiago leaves DST at that midnight)
];
export const EVENTS: SourceEvent[] = [
  { user_id: 'u1', event_name: 'key_event_1', datetime: '2025-01-01 05:00:00' }, // day 1, hour 5
  { user_id: 'u1', event_name: 'key_event_1', datetime: '2025-01-01 06:00:00' }, // not the first: ignored
  { user_id: 'u1', event_name: 'key_event_2', datetime: '2025-01-03 00:00:00' }, // KST Jan 3: day 3
  { user_id: 'u2', event_name: 'key_event_2', datetime: '2025-01-01 03:00:00' }, // key_event_2 BEFORE key_event_1
  { user_id: 'u2', event_name: 'key_event_1', datetime: '2025-01-01 04:00:00' }, // day 1, hour 3
  { user_id: 'u3', event_name: 'key_event_1', datetime: '2025-01-01 15:00:00' }, // KST Jan 2 00:00: day 2 (same day in UTC!)
  { user_id: 'u3', event_name: 'key_event_2', datetime: '2025-01-02 00:00:00' }, // KST Jan 2: day 2
  { user_id: 'u4', event_name: 'key_event_1', datetime: '2025-01-01 14:59:00' }, // KST Jan 1 23:59: day 1, hour 1
  { user_id: 'u4', event_name: 'key_event_2', datetime: '2025-01-08 14:00:00' }, // KST Jan 8 23:00: day 8, outside 7 days by one calendar day
  { user_id: 'u5', event_name: 'key_event_1', datetime: '2025-01-02 04:05:00' }, // day 1, hour 2: outside {hours: 1} by one hour
  { user_id: 'u7', event_name: 'key_event_1', datetime: '2025-01-02 19:00:00' }, // before u7's first visit: no row
];
// Newest event: 2025-01-08 14:00 UTC (the build's watermark).
