// SPDX-License-Identifier: Apache-2.0

/**
 * Promise.all that rejects only once every promise has settled (with the first rejection in the
 * given order). Where the promises own tensors until they settle, a plain Promise.all would let the
 * caller's explain() reject while one of them still holds its tensors.
 */
export async function settleAll<T extends readonly unknown[]>(promises: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
