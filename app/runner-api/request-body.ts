import type { Context } from 'hono';
import type { z } from 'zod';
import { BadRequestError } from '../../lib/errors/index.ts';

/** A runner API body: JSON, validated by the route's schema (a ZodError maps to a 400). */
export async function requestBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text();
  let json: unknown = {};
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new BadRequestError(`malformed JSON body: ${(err as Error).message}`);
    }
  }
  return schema.parse(json);
}
