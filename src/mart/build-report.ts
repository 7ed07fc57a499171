/** What a build did, printed as a short block or as JSON. */
export interface BuildReport {
  mode: 'full' | 'incremental';
  /** Why this mode: requested, first build, definition changed, ... */
  reason: string;
  warehouse: string;
  mart: string;
  /** The source datetimes this build read: (after, through]; after is null for full history. */
  scanned: { after: string | null; through: string | null };
  watermark: string | null;
  rowsScanned: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsDeleted: number;
  martRows: number;
  eventsBeforeFirstVisit: number;
  eventsOfUnknownUsers: number;
  unknownUsers: number;
  /** Users rows without a user_id or first_datetime, and repeated user_ids (the earliest first visit is used). */
  usersWithoutFirstVisit: number;
  duplicateUserRows: number;
  newOrChangedUsers: number;
  /** Users of the mart no longer in the users table (their rows are deleted). */
  removedUsers: number;
  /** How new and changed users were found: only the new ones read, or every user compared. */
  usersCheck: string;
  /** Each funnel table: rebuilt in full, refreshed for the users whose row can have changed, or dropped (funnel removed). */
  funnelTables: { table: string; mode: 'full' | 'incremental' | 'dropped'; rowsWritten: number }[];
  /** Of elapsedMs, the time spent staging and publishing the funnel tables. */
  funnelTablesMs: number;
  backfilledEvents: string[];
  removedEvents: string[];
  /** Source rows that appeared at or before the last build's lookback cutoff: not in the mart until --full-refresh. */
  lateEventsBeyondLookback: number;
  /** Source rows that disappeared at or before that cutoff: the mart may hold first occurrences that no longer exist. */
  deletedSourceEvents: number;
  /**
   * Events dated after the build's clock plus the tolerance (`after`): left out of the mart until
   * their time comes, never moving the watermark. outOfRange: beyond year 9999 or infinite, never included.
   */
  futureEvents: { count: number; latest: string | null; outOfRange: number; after: string };
  elapsedMs: number;
}

const n = (value: number) => value.toLocaleString('en-US');

export function formatBuildReport(r: BuildReport): string {
  const lines = [
    `${r.mode === 'full' ? 'Full refresh' : 'Incremental build'} of ${r.mart} on ${r.warehouse} (${r.reason})`,
    `  scanned    ${n(r.rowsScanned)} tracked event rows, datetime ${r.scanned.after ? `> ${r.scanned.after}` : 'from the start'} through ${r.scanned.through ?? '(empty source)'}`,
    `  changed    +${n(r.rowsInserted)} inserted, ~${n(r.rowsUpdated)} updated (earlier first occurrence), -${n(r.rowsDeleted)} deleted; mart now ${n(r.martRows)} rows`,
    `  skipped    ${n(r.eventsBeforeFirstVisit)} events before the user's first visit, ${n(r.eventsOfUnknownUsers)} events of ${n(r.unknownUsers)} users missing from the users table`,
  ];
  if (r.usersWithoutFirstVisit > 0 || r.duplicateUserRows > 0) {
    lines.push(`  users      ${n(r.usersWithoutFirstVisit)} rows without user_id or first_datetime ignored, ${n(r.duplicateUserRows)} repeated user_id rows (earliest first visit used)`);
  }
  if (r.mode === 'incremental') lines.push(`  users      ${n(r.newOrChangedUsers)} new or changed users rebuilt from their full history, ${n(r.removedUsers)} removed (${r.usersCheck})`);
  for (const f of r.funnelTables) {
    lines.push(`  funnel     ${f.table}: ${f.mode === 'full' ? `rebuilt, ${n(f.rowsWritten)} users` : f.mode === 'incremental' ? `${n(f.rowsWritten)} users recomputed` : 'dropped (funnel removed from the spec)'}`);
  }
  if (r.backfilledEvents.length > 0) lines.push(`  backfilled ${r.backfilledEvents.join(', ')} (newly tracked, from full history)`);
  if (r.removedEvents.length > 0) lines.push(`  removed    ${r.removedEvents.join(', ')} (no longer tracked)`);
  if (r.lateEventsBeyondLookback > 0 || r.deletedSourceEvents > 0) {
    lines.push(
      `  WARNING    ${n(r.lateEventsBeyondLookback)} events arrived later than the lookback and ${n(r.deletedSourceEvents)} old events disappeared from the source; the mart does not reflect them: run activation build --full-refresh`,
    );
  }
  if (r.futureEvents.count > 0) {
    const f = r.futureEvents;
    lines.push(
      `  WARNING    ${n(f.count)} events in the future (dated after ${f.after}, latest ${f.latest}) are left out until their time comes` +
        (f.outOfRange > 0 ? `; ${n(f.outOfRange)} of them are beyond year 9999 or infinite and never will be: correct them in the source` : ''),
    );
  }
  lines.push(`  watermark  ${r.watermark ?? '(none)'}; done in ${(r.elapsedMs / 1000).toFixed(2)} s`);
  return lines.join('\n');
}
