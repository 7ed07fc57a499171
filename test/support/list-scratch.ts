/** Prints the builder's scratch tables (`_am_<mart hash>_<build id>_<role>`) as JSON, from a separate process (see dump-mart.ts). */
import { isScratchTable, SCRATCH_PREFIX } from '../../src/mart/scratch-tables.ts';
import { connectWarehouse } from '../../src/warehouse/registry.ts';

const wh = await connectWarehouse();
const tables = await wh.tablesWithPrefix('any_table', SCRATCH_PREFIX);
process.stdout.write(JSON.stringify(tables.filter(isScratchTable)));
await wh.close();
