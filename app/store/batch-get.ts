import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** BatchGetItem takes at most this many keys per request. */
const MAX_KEYS = 100;

/**
 * Whole items for keys an index query returned (indexes project keys or a few attributes only,
 * so that heartbeats and other small updates do not write them). Items come back in the keys'
 * order; a key whose item is gone meanwhile is left out. Unprocessed keys are asked again.
 */
export async function batchGetInOrder(
  db: DynamoDBDocumentClient,
  table: string,
  keys: Record<string, unknown>[],
  keyNames: readonly string[],
): Promise<Record<string, unknown>[]> {
  const id = (item: Record<string, unknown>) => JSON.stringify(keyNames.map((k) => item[k]));
  const found = new Map<string, Record<string, unknown>>();
  const unique = [...new Map(keys.map((k) => [id(k), Object.fromEntries(keyNames.map((n) => [n, k[n]]))])).values()];
  for (let i = 0; i < unique.length; i += MAX_KEYS) {
    let pending: Record<string, unknown>[] = unique.slice(i, i + MAX_KEYS);
    for (let round = 0; pending.length > 0; round++) {
      if (round > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** round)));
      const out = await db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of out.Responses?.[table] ?? []) found.set(id(item), item);
      pending = (out.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
  }
  return keys.flatMap((k): Record<string, unknown>[] => {
    const item = found.get(id(k));
    return item ? [item] : [];
  });
}
