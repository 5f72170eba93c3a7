/** DynamoDB's answer when a ConditionExpression does not hold. */
export function isConditionFailed(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

export const nowIso = (): string => new Date().toISOString();
