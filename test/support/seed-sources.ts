/** Creates the source tables from a JSON file, from a separate process (see dump-mart.ts). */
import { readFileSync } from 'node:fs';
import { connectWarehouse } from '../../src/warehouse/registry.ts';
import { appendEvents, createSources } from './sources.ts';

const [file, mode] = process.argv.slice(2);
const data = JSON.parse(readFileSync(file, 'utf8'));
const wh = await connectWarehouse();
if (mode === 'append') await appendEvents(wh, data.events);
else await createSources(wh, data);
await wh.close();
