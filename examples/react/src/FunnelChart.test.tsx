// @vitest-environment jsdom
import cube from '@cubejs-client/core';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, expect, it, vi } from 'vitest';
import { FunnelChart } from './FunnelChart.tsx';
import recorded from './__fixtures__/core-activation-load.json' with { type: 'json' };

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** Cube's REST API answering /load with the recorded response, checking what the client asked. */
function serveRecorded() {
  const requests: URL[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string | URL) => {
      const url = new URL(String(input));
      requests.push(url);
      return new Response(JSON.stringify(recorded), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }),
  );
  return requests;
}

it('draws one row of bars per cohort from the REST /load response, oldest first', async () => {
  const requests = serveRecorded();
  render(<FunnelChart cubeApi={cube('token', { apiUrl: 'http://cube.test/cubejs-api/v1' })} cohorts={8} />);

  const rows = await screen.findAllByTestId('cohort');
  expect(rows).toHaveLength(8);
  expect(rows[0].querySelector('th')!.textContent).toMatch(/^2025-06-23/);
  expect(rows[7].querySelector('th')!.textContent).toBe('2025-06-30 (incomplete)');

  // The bars are the step counts relative to first_visit, straight from the response.
  const newest = recorded.results[0].data[0];
  const share = (n: string) => Math.round((Number(n) / Number(newest['core_activation.first_visit_users'])) * 1000) / 10;
  expect(screen.getByRole('meter', { name: '2025-06-30 Key event 1 (≤1 day)' }).getAttribute('aria-valuenow')).toBe(String(share(newest['core_activation.key_event_1_users'])));
  expect(screen.getByRole('meter', { name: '2025-06-30 Key event 2 (≤7 days)' }).getAttribute('aria-valuenow')).toBe(String(share(newest['core_activation.key_event_2_users'])));
  expect(rows[7].textContent).toContain(Number(newest['core_activation.first_visit_users']).toLocaleString('en-US'));

  // It asked Cube for exactly the funnel query, with its token.
  expect(requests).toHaveLength(1);
  expect(requests[0].pathname).toBe('/cubejs-api/v1/load');
  const query = JSON.parse(requests[0].searchParams.get('query')!);
  expect(query).toMatchObject({
    measures: ['core_activation.first_visit_users', 'core_activation.key_event_1_users', 'core_activation.key_event_2_users'],
    timeDimensions: [{ dimension: 'core_activation.cohort_date', granularity: 'day' }],
    limit: 8,
  });
});

it('says so when Cube refuses the request', async () => {
  vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ error: 'Invalid token' }), { status: 403, headers: { 'Content-Type': 'application/json' } })));
  render(<FunnelChart cubeApi={cube('bad', { apiUrl: 'http://cube.test/cubejs-api/v1' })} />);
  expect((await screen.findByRole('alert')).textContent).toContain('Invalid token');
});
