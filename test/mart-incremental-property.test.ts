/**
 * The builder's central invariant, checked on randomized histories: after every incremental
 * build the mart equals the plain-TypeScript reference (what a full refresh means), and at the
 * end equals an actual --full-refresh. Batches bring new users, new and late events (within the
 * lookback), events before first visits and of unknown users, first visits that move, users
 * who leave the dimension, changes to the tracked event list, events dated in the future (they
 * wait until the build's clock reaches them), and builds that fail halfway. Every history runs on
 * each engine both with transactions and as an engine without them (replace and MERGE).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMart } from '../src/mart/build-mart.ts';
import { parseSpec } from '../src/spec/load-spec.ts';
import type { MetricsSpec } from '../src/spec/spec-types.ts';
import type { Warehouse } from '../src/warehouse/warehouse.ts';
import type { Engine } from '../src/warehouse/registry.ts';
import { capabilitiesOf, createTestDatabase, ENGINES, type TestDatabase } from './support/engines.ts';
import { readMart } from './support/mart-snapshot.ts';
import { seededRandom, utcText } from './support/random.ts';
import { referenceMart, utcMillis } from './support/reference.ts';
import { appendEvents, appendUsers, createSources, type SourceEvent, type SourceUser } from './support/sources.ts';
import { withoutTransactions } from './support/without-transactions.ts';
import { referenceFunnelTable } from './support/funnel-reference.ts';
import { readFunnelTable, refFunnel } from './support/funnel-snapshot.ts';

/**
 * Three funnels: every order, every window kind, a step without a window (never closes). The
 * sequential one has an exclusion in odd histories (incremental builds read its users' history)
 * and none in even ones (they read the range's events and the stored matches instead).
 */
const funnelsYaml = (seed: number) => `  - name: pf_seq
    table: pf_seq_p${seed}${seed % 2 === 1 ? `
    exclusions: [{ event: k3, between: [k1, ok] }]` : ''}
    steps:
      - event: first_visit
      - event: k1
        within: { days: 1 }
      - event: "o'k"
        name: ok
        within: { duration: 30h }
  - name: pf_any
    table: pf_any_p${seed}
    order: any
    steps:
      - event: first_visit
      - event: k2
        within: { hours: 20 }
      - event: k1
        within: { duration: 2d }
  - name: pf_open
    table: pf_open_p${seed}
    order: independent
    steps:
      - event: first_visit
      - event: k2
      - event: k1
        within: { days: 2 }
`;

const BATCHES = 25;
/**
 * An engine with transactions runs 8 histories with them and 4 as an engine without them (300
 * incremental builds); an engine without transactions runs 4 histories its own way (100 builds).
 */
const modesFor = (engine: Engine) =>
  capabilitiesOf(engine).transactions
    ? [
        { mode: 'with transactions', sequences: 8 },
        { mode: 'without transactions', sequences: 4 },
      ]
    : [{ mode: 'without transactions', sequences: 4 }];
const STEPS = ['lock', 'sync users', 'scan events', 'stage', 'publish', 'state'] as const;
const TOLERANCE_HOURS = 1; // the spec's default incremental.future_tolerance
const HOUR = 3_600_000;
const LOOKBACK_HOURS = 30;
const EVENT_POOL = ['k1', 'k2', 'k3', "o'k"];
const ZONES = ['UTC', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Chatham'];

describe.each(ENGINES.flatMap((engine) => modesFor(engine).map((m) => ({ engine, ...m }))))('incremental builds equal a full refresh on $engine, $mode', ({ engine, mode, sequences }) => {
  let db: TestDatabase;
  let wh: Warehouse;
  beforeAll(async () => {
    db = await createTestDatabase(engine);
    wh = await db.connect();
  });
  afterAll(async () => {
    await wh.close();
    await db.drop();
  });

  // A distributed engine pays tens of milliseconds per statement, and a history is 25+ builds of ~80.
  const timeout = capabilitiesOf(engine).transactions ? 60_000 : 30 * 60_000;
  it.each(Array.from({ length: sequences }, (_, i) => i + 1))('random history #%i', async (seed) => {
    const random = seededRandom(seed * 7919 + (mode === 'with transactions' ? 0 : 104_729));
    const w = mode === 'with transactions' ? wh : withoutTransactions(wh);
    const p = (n: number) => wh.dialect.parameter(n);
    const names = { events: `events_p${seed}`, users: `users_p${seed}` };
    const timezone = ZONES[seed % ZONES.length];
    let tracked = ['k1', 'k2', "o'k"];
    const base: MetricsSpec = parseSpec(
      `version: 1\ntimezone: ${timezone}\nincremental: { lookback: { hours: ${LOOKBACK_HOURS} } }\nevents: [k1, k2, k3, "o'k"]\nfunnels:\n${funnelsYaml(seed)}`,
    );
    // Funnels come and go between builds; the ones present are checked against the reference after every build.
    let active = base.funnels.map((f) => f.name);
    const specFor = (events: string[]): MetricsSpec => ({
      ...base,
      events,
      funnels: base.funnels.filter((f) => active.includes(f.name)),
      sources: { ...base.sources, ...names },
      mart: { table: `mart_p${seed}`, stateTable: `mart_p${seed}__build_state` },
    });

    const users: SourceUser[] = [];
    const events: SourceEvent[] = [];
    await createSources(wh, { users, events }, names);
    // PostgreSQL asks about the log in small pruned queries when it has an index on datetime, in one pass when not: even histories take the first way.
    if (engine === 'postgres' && seed % 2 === 0) await wh.run(`CREATE INDEX ON ${wh.dialect.quoteIdentifier(names.events)} ("datetime")`);
    let now = Date.parse('2025-03-01T00:00:00Z');
    let watermark: number | undefined; // newest event datetime the last build saw
    let nextUser = 0;
    const clock = () => ({ now: new Date(now) });
    const visible = () => events.filter((e) => utcMillis(e.datetime) <= now + TOLERANCE_HOURS * HOUR);
    const newUser = (firstVisit: number): SourceUser => ({ user_id: `u${nextUser++}`, first_datetime: utcText(firstVisit) });
    let batchesChecked = 0;

    await buildMart(w, specFor(tracked), clock());
    for (let batch = 0; batch < BATCHES; batch++) {
      now += random.int(0, 30) * HOUR + random.int(0, 3599) * 1000;
      const cutoff = watermark === undefined ? undefined : watermark - LOOKBACK_HOURS * HOUR;
      // Events may be late, but not older than the last build's cutoff (the lookback's promise).
      const earliest = cutoff === undefined ? now - 72 * HOUR : cutoff + 1000;
      const when = () => utcText(random.int(Math.ceil(earliest / 1000), Math.floor(now / 1000)) * 1000);
      const batchUsers: SourceUser[] = [];
      const batchEvents: SourceEvent[] = [];

      for (let i = random.int(0, 6); i > 0; i--) batchUsers.push(newUser(now - random.int(0, 20 * 3600) * 1000));
      const known = [...users, ...batchUsers];
      for (let i = random.int(0, 40); i > 0; i--) {
        const userId = random.chance(0.05) || known.length === 0 ? `ghost${random.int(0, 3)}` : random.pick(known).user_id;
        let datetime = when();
        if (random.chance(0.05) && watermark !== undefined) datetime = utcText(watermark); // exactly on the last watermark
        let eventName = random.pick(EVENT_POOL);
        // Exactly on an elapsed window's end (boundary included), when that instant is still allowed to arrive.
        const user = known.find((u) => u.user_id === userId);
        if (user && random.chance(0.15)) {
          const [offset, name] = random.pick([[30 * HOUR, "o'k"], [48 * HOUR, 'k1']] as const);
          const edge = utcMillis(user.first_datetime!) + offset;
          if (edge >= earliest && edge <= now) [datetime, eventName] = [utcText(edge), name];
        }
        batchEvents.push({ user_id: userId, event_name: eventName, datetime });
      }
      // A user who enters the dimension now, with old history (long before the cutoff).
      if (random.chance(0.15)) {
        const old = newUser(now - random.int(100, 400) * HOUR);
        batchUsers.push(old);
        batchEvents.push({ user_id: old.user_id, event_name: random.pick(EVENT_POOL), datetime: utcText(utcMillis(old.first_datetime!) + random.int(0, 50) * HOUR) });
      }
      // A clock upstream gone wrong: an event dated up to two days ahead of this build's clock.
      if (random.chance(0.1) && known.length > 0) {
        batchEvents.push({ user_id: random.pick(known).user_id, event_name: random.pick(EVENT_POOL), datetime: utcText(now + random.int(2, 48) * HOUR) });
      }
      users.push(...batchUsers);
      events.push(...batchEvents);
      await appendUsers(wh, batchUsers, names.users);
      await appendEvents(wh, batchEvents, names.events);

      // The dimension is SCD type 1: a first visit may be corrected, a user may be deleted.
      if (users.length > 3 && random.chance(0.15)) {
        const user = random.pick(users);
        user.first_datetime = utcText(utcMillis(user.first_datetime!) + random.int(-30, 30) * HOUR);
        await wh.run(`UPDATE ${names.users} SET first_datetime = CAST(${p(1)} AS ${wh.dialect.types.timestamp}) WHERE user_id = ${p(2)}`, [user.first_datetime, user.user_id]);
      }
      if (users.length > 3 && random.chance(0.1)) {
        const [gone] = users.splice(random.int(0, users.length - 1), 1);
        await wh.run(`DELETE FROM ${names.users} WHERE user_id = ${p(1)}`, [gone.user_id]);
      }
      if (random.chance(0.1)) tracked = EVENT_POOL.filter(() => random.chance(0.6)).concat(tracked.length === 0 ? ['k1'] : []);
      if (tracked.length === 0) tracked = ['k2'];
      if (random.chance(0.08)) {
        const toggled = random.pick(base.funnels).name;
        active = active.includes(toggled) ? active.filter((f) => f !== toggled) : [...active, toggled];
      }

      // A build that fails halfway first, now and then: the next one must still converge.
      if (random.chance(0.1)) {
        const failAt = random.pick([...STEPS]);
        await expect(buildMart(w, specFor(tracked), { ...clock(), onStep: (step) => { if (step === failAt) throw new Error(`injected after ${step}`); } })).rejects.toThrow('injected');
      }
      const report = await buildMart(w, specFor(tracked), clock());
      expect(report.mode).toBe('incremental');
      expect(await readMart(wh, `mart_p${seed}`), `seed ${seed}, batch ${batch}`).toEqual(referenceMart(visible(), users, tracked, timezone));
      const refUsers = users.filter((u) => u.first_datetime !== null).map((u) => ({ user_id: u.user_id, first_datetime: u.first_datetime! }));
      for (const funnel of base.funnels) {
        if (!active.includes(funnel.name)) {
          expect(await wh.columns(funnel.table), `${funnel.table} dropped`).toBeUndefined();
          continue;
        }
        const expected = referenceFunnelTable(visible(), refUsers, refFunnel(funnel), timezone, report.watermark ?? '0001-01-01 00:00:00');
        expect(await readFunnelTable(wh, funnel), `seed ${seed}, batch ${batch}, funnel ${funnel.name}`).toEqual(expected);
      }
      const newest = visible().reduce((max, e) => Math.max(max, utcMillis(e.datetime)), Number.NEGATIVE_INFINITY);
      if (Number.isFinite(newest)) watermark = Math.max(watermark ?? newest, newest);
      batchesChecked++;
    }

    // One query at a time: a connection (node-postgres' client among them) runs one statement at once.
    const readFunnels = async () => {
      const tables = [];
      for (const f of specFor(tracked).funnels) tables.push(await readFunnelTable(wh, f));
      return tables;
    };
    const incremental = await readMart(wh, `mart_p${seed}`);
    const incrementalFunnels = await readFunnels();
    expect((await buildMart(w, specFor(tracked), { ...clock(), fullRefresh: true })).mode).toBe('full');
    expect(await readMart(wh, `mart_p${seed}`)).toEqual(incremental);
    expect(await readFunnels()).toEqual(incrementalFunnels);
    expect(batchesChecked).toBe(BATCHES);
  }, timeout);
});
