// Bearer-token checks are hono's bearer-auth middleware. This wrapper keeps cid's answers: every
// failure (no header, a header that is not `Bearer <token>`, a wrong token) is a 401 with the
// usual { error: { code, message } } body from lib/errors' one mapping, plus hono's
// WWW-Authenticate challenge.
import type { Context, MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { HTTPException } from 'hono/http-exception';
import { errorResponse, UnauthorizedError } from '../../lib/errors/index.ts';

export interface BearerOptions {
  /** The accepted token, or a check that may also record who the caller is (c.set). */
  verify: string | ((token: string, c: Context) => boolean | Promise<boolean>);
  /** What the caller should send, e.g. "Authorization: Bearer <CID_ADMIN_TOKEN>". */
  missing: string;
  /** Said when the token is refused. */
  refused: string;
}

const unauthorized = (message: string) => (c: Context) => {
  const { status, body } = errorResponse(new UnauthorizedError(message));
  return c.json(body, status as 401);
};

export function bearer(o: BearerOptions): MiddlewareHandler {
  const check = bearerAuth({
    ...(typeof o.verify === 'string' ? { token: o.verify } : { verifyToken: o.verify }),
    noAuthenticationHeader: { message: unauthorized(o.missing) },
    // hono answers a malformed header with 400; cid has always said 401 with what to send.
    invalidAuthenticationHeader: { message: unauthorized(`malformed Authorization header: ${o.missing}`) },
    invalidToken: { message: unauthorized(o.refused) },
  });
  return async (c, next) => {
    try {
      await check(c, next);
    } catch (err) {
      // The middleware throws its ready-made 401 response; errors from later handlers never get
      // here (hono's onError turns them into responses first), but pass them on regardless.
      if (err instanceof HTTPException) return err.getResponse();
      throw err;
    }
  };
}
