export type Cleanup = () => Promise<void>;

/**
 * Releases what the case's steps held (StepContext.onCleanup), whatever the verdict, so no server
 * outlives its case: last registered first, each whether or not one before failed; rejects with
 * every failure's message.
 */
export async function cleanUp(cleanups: readonly Cleanup[]): Promise<void> {
  const errors: string[] = [];
  for (const release of [...cleanups].reverse()) {
    await release().catch((err: Error) => errors.push(err.message));
  }
  if (errors.length) throw new Error(errors.join('; '));
}
