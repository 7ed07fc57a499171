/**
 * Independent pieces of a build, run at once where the engine allows it
 * (EngineCapabilities.concurrentStatements), else one after another in the order given, so that
 * an engine without concurrency sends exactly the statements it always did, in the same order.
 */
import { settleAll } from '../warehouse/settle-all.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

type Work<T extends readonly unknown[]> = { [K in keyof T]: () => Promise<T[K]> };

export async function together<T extends readonly unknown[]>(warehouse: Warehouse, ...work: Work<T>): Promise<T> {
  if (!warehouse.dialect.capabilities.concurrentStatements) {
    const results: unknown[] = [];
    for (const w of work) results.push(await w());
    return results as unknown as T;
  }
  // Every piece settles before this returns or throws (settleAll): a failed build's clean-up must not race the others.
  return (await settleAll(work.map((w) => w()))) as unknown as T;
}

/** together() over a list of like pieces. */
export function togetherEach<I, T>(warehouse: Warehouse, items: readonly I[], work: (item: I, index: number) => Promise<T>): Promise<T[]> {
  return together(warehouse, ...items.map((item, i) => () => work(item, i))) as Promise<T[]>;
}
