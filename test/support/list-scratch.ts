/** Prints the builder's scratch tables (`_am_…`) as JSON, from a separate process (see dump-mart.ts). */
import { connectWarehouse } from '../../src/warehouse/registry.ts';

const wh = await connectWarehouse();
const rows = await wh.query(`SELECT table_name FROM information_schema.tables WHERE table_name LIKE '\\_am\\_%' ESCAPE '\\' ORDER BY table_name`);
process.stdout.write(JSON.stringify(rows.map((r) => String(r.table_name))));
await wh.close();
