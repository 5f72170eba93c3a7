/** Retention when none is configured (CID_RETENTION_DAYS): ocaml-ci users asked for one (#266). */
export const DEFAULT_RETENTION_DAYS = 90;

/** The epoch-seconds `expiresAt` of an item written now and kept `days`: DynamoDB's TTL deletes it after. */
export function expiresAt(days: number, now = Date.now()): number {
  return Math.floor(now / 1000) + Math.round(days * 86_400);
}
