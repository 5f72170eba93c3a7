import { createHmac, timingSafeEqual } from 'node:crypto';
import { PoolSchema, RunnerIdSchema, type Pool } from '../../lib/contract/index.ts';
import { UnauthorizedError } from '../../lib/errors/index.ts';

export { RunnerIdSchema };

// Every token the runner API accepts is an HMAC with CID_RUNNER_SECRET over a message whose
// prefix says what it is for ("bootstrap:", "runner:", "lease:"), so one kind never passes for another.
const mac = (secret: string, message: string): string => createHmac('sha256', secret).update(message).digest('base64url');

/** Compares in constant time (for equal lengths; a length says nothing secret). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const bearer = (header: string | undefined): string | undefined => /^Bearer (\S+)$/.exec(header ?? '')?.[1];

/**
 * A pool's bootstrap token, "cidb1.<pool>.<HMAC>": what an operator gives the runners of one pool
 * so they can register. It proves the pool only; each runner then gets a credential of its own.
 */
export function bootstrapToken(secret: string, pool: Pool): string {
  PoolSchema.parse(pool);
  return `cidb1.${pool}.${mac(secret, `bootstrap:${pool}`)}`;
}

/** The pool a bootstrap token (Authorization header) is for, or a 401. */
export function verifyBootstrapToken(secret: string, header: string | undefined): Pool {
  const token = bearer(header);
  if (!token) throw new UnauthorizedError('missing bootstrap token: send "Authorization: Bearer <CID_RUNNER_BOOTSTRAP_TOKEN>"');
  const m = /^cidb1\.([a-z0-9_-]+)\.[A-Za-z0-9_-]+$/.exec(token);
  const pool = PoolSchema.safeParse(m?.[1]);
  if (!m || !pool.success) throw new UnauthorizedError('malformed bootstrap token: expected "cidb1.<pool>.<signature>"');
  if (!sameText(token, bootstrapToken(secret, pool.data))) throw new UnauthorizedError(`bad bootstrap token for pool ${pool.data}`);
  return pool.data;
}

export interface RunnerCredentialClaims {
  runnerId: string;
  registrationId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** A runner's own credential, "cidr1.<runner id>.<registration id>.<expiry, epoch s>.<HMAC>". */
export function issueRunnerCredential(secret: string, c: RunnerCredentialClaims): string {
  RunnerIdSchema.parse(c.runnerId);
  const payload = `cidr1.${c.runnerId}.${c.registrationId}.${c.expiresAt}`;
  return `${payload}.${mac(secret, `runner:${payload}`)}`;
}

/**
 * What a credential (Authorization header) proves, or a 401: malformed, bad signature, expired.
 * Revocation and replacement are the caller's to check against the stored runner.
 */
export function verifyRunnerCredential(secret: string, header: string | undefined, nowMs = Date.now()): RunnerCredentialClaims {
  const token = bearer(header);
  if (!token) throw new UnauthorizedError('missing runner credential: send "Authorization: Bearer <credential from POST /api/runner/register>"');
  // Runner ids may contain dots: the fields are read from the right.
  const m = /^cidr1\.(.+)\.([A-Za-z0-9_-]+)\.(\d{1,12})\.[A-Za-z0-9_-]+$/.exec(token);
  if (!m || !RunnerIdSchema.safeParse(m[1]).success) throw new UnauthorizedError('malformed runner credential');
  const claims = { runnerId: m[1] as string, registrationId: m[2] as string, expiresAt: Number(m[3]) };
  if (!sameText(token, issueRunnerCredential(secret, claims))) throw new UnauthorizedError(`bad credential for runner ${claims.runnerId}`);
  if (claims.expiresAt * 1000 <= nowMs) {
    throw new UnauthorizedError(`the credential of runner ${claims.runnerId} expired at ${new Date(claims.expiresAt * 1000).toISOString()}: register again`);
  }
  return claims;
}
