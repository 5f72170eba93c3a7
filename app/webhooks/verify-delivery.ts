import { verify } from '@octokit/webhooks-methods';
import { emitterEventNames } from '@octokit/webhooks';
import { BadRequestError, PayloadTooLargeError, UnauthorizedError, UnsupportedMediaTypeError } from '../../lib/errors/index.ts';

const KNOWN_EVENTS = new Set(emitterEventNames.map((e) => e.split('.')[0]).concat(['ping']));

export interface Delivery {
  id: string;
  event: string;
  payload: Record<string, unknown>;
}

type Headers = (name: string) => string | undefined;

/** The two bodies GitHub sends, as a webhook's "Content type" setting says. */
const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** The media type of a Content-Type header ("application/json; charset=utf-8" → "application/json"). */
function mediaType(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/** The JSON text of a delivery: the body itself, or the `payload` field of a form-encoded body. */
function jsonText(type: string, text: string): string {
  if (type === JSON_TYPE) return text;
  const payload = new URLSearchParams(text).get('payload');
  if (payload === null) throw new BadRequestError(`a ${FORM_TYPE} webhook body must have a "payload" field`);
  return payload;
}

/**
 * Checks a webhook request before anything is recorded: size, headers, content type, HMAC
 * signature over the raw body (x-hub-signature-256), a known event name, and a JSON object body.
 */
export async function verifyDelivery(secret: string, header: Headers, body: Uint8Array, maxBytes: number): Promise<Delivery> {
  if (body.byteLength > maxBytes) throw new PayloadTooLargeError(`webhook body over ${maxBytes} bytes`);
  const event = header('x-github-event');
  const id = header('x-github-delivery');
  const signature = header('x-hub-signature-256');
  if (!event) throw new BadRequestError('missing x-github-event header');
  if (!id) throw new BadRequestError('missing x-github-delivery header');
  if (!signature) throw new BadRequestError('missing x-hub-signature-256 header: is the webhook secret set on GitHub?');
  const type = mediaType(header('content-type'));
  if (type !== JSON_TYPE && type !== FORM_TYPE) {
    throw new UnsupportedMediaTypeError(`webhook content type ${type ? `"${type}"` : 'missing'}: GitHub sends ${JSON_TYPE} or ${FORM_TYPE}`);
  }
  const text = Buffer.from(body).toString('utf8');
  let ok = false;
  try {
    ok = await verify(secret, text, signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new UnauthorizedError('signature does not match: check that WEBHOOK_SECRET equals the App\'s webhook secret');
  if (!KNOWN_EVENTS.has(event)) throw new BadRequestError(`unknown event "${event}"`);
  const json = jsonText(type, text);
  let payload: unknown;
  try {
    payload = JSON.parse(json);
  } catch (err) {
    throw new BadRequestError(`malformed JSON body: ${(err as Error).message}`);
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new BadRequestError('webhook body must be a JSON object');
  return { id, event, payload: payload as Record<string, unknown> };
}
