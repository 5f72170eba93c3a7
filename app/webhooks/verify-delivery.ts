import { verify } from '@octokit/webhooks-methods';
import { emitterEventNames } from '@octokit/webhooks';
import { BadRequestError, PayloadTooLargeError, UnauthorizedError } from '../errors/index.ts';

const KNOWN_EVENTS = new Set(emitterEventNames.map((e) => e.split('.')[0]).concat(['ping']));

export interface Delivery {
  id: string;
  event: string;
  payload: Record<string, unknown>;
}

type Headers = (name: string) => string | undefined;

/**
 * Checks a webhook request before anything is recorded: size, headers, HMAC signature over the
 * raw body (x-hub-signature-256), a known event name, and a JSON object body.
 */
export async function verifyDelivery(secret: string, header: Headers, body: Uint8Array, maxBytes: number): Promise<Delivery> {
  if (body.byteLength > maxBytes) throw new PayloadTooLargeError(`webhook body over ${maxBytes} bytes`);
  const event = header('x-github-event');
  const id = header('x-github-delivery');
  const signature = header('x-hub-signature-256');
  if (!event) throw new BadRequestError('missing x-github-event header');
  if (!id) throw new BadRequestError('missing x-github-delivery header');
  if (!signature) throw new BadRequestError('missing x-hub-signature-256 header: is the webhook secret set on GitHub?');
  const text = Buffer.from(body).toString('utf8');
  let ok = false;
  try {
    ok = await verify(secret, text, signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new UnauthorizedError('signature does not match: check that WEBHOOK_SECRET equals the App\'s webhook secret');
  if (!KNOWN_EVENTS.has(event)) throw new BadRequestError(`unknown event "${event}"`);
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`malformed JSON body: ${(err as Error).message}`);
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new BadRequestError('webhook body must be a JSON object');
  return { id, event, payload: payload as Record<string, unknown> };
}
