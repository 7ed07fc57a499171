/** Prints the builder's scratch tables (`_am_<mart hash>_<build id>_<role>`) as JSON, from a separate process (see dump-mart.ts). */
import { connectWarehouse } from '../../src/warehouse/registry.ts';

const wh = await connectWarehouse();
const tables = await wh.tablesWithPrefix('any_table', '_am_');
process.stdout.write(JSON.stringify(tables.filter((t) => /^_am_[0-9a-f]{8}_[0-9a-f]{8}_/.test(t))));
await wh.close();
