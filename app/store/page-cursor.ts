import type { z } from 'zod';
import { BadRequestError } from '../../lib/errors/index.ts';

// A page cursor is a DynamoDB start key, base64url JSON. It comes back from clients, so it is
// checked strictly against the key's own schema: anything else would reach DynamoDB as a start key.

/** Far longer than any key cid writes; a longer cursor is refused before it is decoded. */
const MAX_CURSOR_LENGTH = 1024;

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

/** The start key a cursor holds, or a 400 when it is not one this API returned. */
export function decodeCursor<S extends z.ZodType<Record<string, unknown>>>(cursor: string | undefined, key: S): z.infer<S> | undefined {
  if (!cursor) return undefined;
  if (cursor.length <= MAX_CURSOR_LENGTH && /^[A-Za-z0-9_-]+$/.test(cursor)) {
    try {
      const parsed = key.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      // not JSON: the error below
    }
  }
  throw new BadRequestError('cursor: not a cursor returned by this API');
}
