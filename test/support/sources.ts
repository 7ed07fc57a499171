import type { Warehouse } from '../../src/warehouse/warehouse.ts';

/** A raw event as a test writes it: timestamps are UTC, 'YYYY-MM-DD HH:MM:SS'. */
export interface SourceEvent {
  user_id: string;
  event_name: string;
  datetime: string;
}

export interface SourceUser {
  user_id: string;
  /** null: a user the dimension has no first visit for (bad data the builder must skip). */
  first_datetime: string | null;
  country?: string | null;
  device_os?: string | null;
  app_version?: string | null;
  first_campaign?: string | null;
  first_medium?: string | null;
  first_source?: string | null;
}

export const USER_ATTRIBUTES = ['country', 'device_os', 'app_version', 'first_campaign', 'first_medium', 'first_source'] as const;

/** Creates `fact__events` and `dim__users` with the core layer's columns (plus an extra column the builder must ignore). */
export async function createSources(wh: Warehouse, data: { events: SourceEvent[]; users: SourceUser[] }, names = { events: 'fact__events', users: 'dim__users' }) {
  const q = (n: string) => wh.dialect.quoteIdentifier(n);
  const { string, timestamp, date } = wh.dialect.types;
  await wh.run(`CREATE TABLE ${q(names.events)} (date ${date}, datetime ${timestamp}, user_id ${string}, event_name ${string}, platform ${string})`);
  await wh.run(
    `CREATE TABLE ${q(names.users)} (user_id ${string}, first_date ${date}, first_datetime ${timestamp}, ${USER_ATTRIBUTES.map((a) => `${a} ${string}`).join(', ')})`,
  );
  await appendEvents(wh, data.events, names.events);
  await appendUsers(wh, data.users, names.users);
}

export async function appendEvents(wh: Warehouse, events: SourceEvent[], table = 'fact__events') {
  await insertRows(
    wh,
    table,
    ['date', 'datetime', 'user_id', 'event_name'],
    events.map((e) => [e.datetime.slice(0, 10), e.datetime, e.user_id, e.event_name]),
    ['date', 'timestamp', null, null],
  );
}

export async function appendUsers(wh: Warehouse, users: SourceUser[], table = 'dim__users') {
  await insertRows(
    wh,
    table,
    ['user_id', 'first_date', 'first_datetime', ...USER_ATTRIBUTES],
    users.map((u) => [u.user_id, u.first_datetime?.slice(0, 10) ?? null, u.first_datetime ?? null, ...USER_ATTRIBUTES.map((a) => u[a] ?? null)]),
    [null, 'date', 'timestamp', ...USER_ATTRIBUTES.map(() => null)],
  );
}

/** Multi-row INSERTs with every value bound, in chunks. */
async function insertRows(wh: Warehouse, table: string, columns: string[], rows: unknown[][], casts: (string | null)[]) {
  const chunk = 400;
  for (let start = 0; start < rows.length; start += chunk) {
    const slice = rows.slice(start, start + chunk);
    const params: unknown[] = [];
    const tuples = slice.map((row) => {
      const cells = row.map((value, i) => {
        params.push(value);
        const p = wh.dialect.parameter(params.length);
        const cast = casts[i] === 'timestamp' ? wh.dialect.types.timestamp : casts[i] === 'date' ? wh.dialect.types.date : null;
        return cast ? `CAST(${p} AS ${cast})` : p;
      });
      return `(${cells.join(', ')})`;
    });
    await wh.run(`INSERT INTO ${wh.dialect.quoteIdentifier(table)} (${columns.map((c) => wh.dialect.quoteIdentifier(c)).join(', ')}) VALUES ${tuples.join(', ')}`, params);
  }
}
