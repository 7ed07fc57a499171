/**
 * `activation build` in a separate process that stops after a step and waits to be killed:
 * `build-and-pause.ts <step> [without-transactions] [full]` (the warehouse comes from CUBEJS_DB_*).
 */
import { buildMart } from '../../src/mart/build-mart.ts';
import { loadSpecFile } from '../../src/spec/load-spec.ts';
import { connectWarehouse } from '../../src/warehouse/registry.ts';
import { withoutTransactions } from './without-transactions.ts';

const [pauseAfter, mode, kind] = process.argv.slice(2);
const connected = await connectWarehouse();
const warehouse = mode === 'without-transactions' ? withoutTransactions(connected) : connected;
await buildMart(warehouse, loadSpecFile('metrics.yaml'), {
  fullRefresh: kind === 'full',
  onStep: async (step) => {
    if (step !== pauseAfter) return;
    process.stderr.write(`paused after step: ${step}\n`);
    await new Promise(() => setInterval(() => undefined, 60_000));
  },
});
await connected.close();
