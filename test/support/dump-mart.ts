/**
 * Prints the mart and the builder's state as JSON, from a separate process: a DuckDB file can
 * be open in one process only, so CLI tests must not hold it open themselves.
 */
import { connectWarehouse } from '../../src/warehouse/registry.ts';
import { snapshot } from './mart-snapshot.ts';

const wh = await connectWarehouse();
process.stdout.write(JSON.stringify(await snapshot(wh)));
await wh.close();
