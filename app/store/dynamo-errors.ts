/** DynamoDB's answer when a ConditionExpression does not hold. */
export function isConditionFailed(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/**
 * A conditional write whose condition may not hold: its result, or undefined when it did not.
 * Any other failure is thrown.
 */
export async function unlessConditionFails<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (err) {
    if (isConditionFailed(err)) return undefined;
    throw err;
  }
}

export const nowIso = (): string => new Date().toISOString();
