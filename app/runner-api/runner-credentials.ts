import { createHmac, timingSafeEqual } from 'node:crypto';
import { RunnerIdSchema } from '../../lib/contract/index.ts';
import { UnauthorizedError } from '../../lib/errors/index.ts';

export { RunnerIdSchema };

/**
 * Each runner's own credential, "<runner id>.<HMAC of the id>": the control plane checks it with
 * its secret and needs no list of runners; a leaked credential names the runner it belongs to.
 */
export function runnerCredential(secret: string, runnerId: string): string {
  RunnerIdSchema.parse(runnerId);
  return `${runnerId}.${createHmac('sha256', secret).update(`cid-runner:${runnerId}`).digest('base64url')}`;
}

/** The runner id a credential proves, or a 401. */
export function verifyRunnerCredential(secret: string, credential: string | undefined): string {
  if (!credential) throw new UnauthorizedError('missing runner credential: send "Authorization: Bearer <CID_RUNNER_TOKEN>"');
  const dot = credential.lastIndexOf('.');
  const id = credential.slice(0, dot);
  if (dot <= 0 || !RunnerIdSchema.safeParse(id).success) throw new UnauthorizedError('malformed runner credential');
  const expected = Buffer.from(runnerCredential(secret, id));
  const got = Buffer.from(credential);
  if (expected.length !== got.length || !timingSafeEqual(expected, got)) throw new UnauthorizedError(`bad credential for runner ${id}`);
  return id;
}
