/**
 * Promise.all that waits for every promise to settle before it throws the first failure: when
 * statements run side by side and one fails, what follows (a build's clean-up, releasing its
 * lock) must not race the others still running.
 */
export async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
