import type { Context } from 'hono';
import { NotConfiguredError, UnauthorizedError } from '../../lib/errors/index.ts';
import type { RunnerRecord } from '../store/index.ts';
import type { Services } from '../services.ts';
import { sameText, verifyRunnerCredential } from './runner-credentials.ts';

/**
 * How long a runner's stored row is trusted from memory. Revoking a runner or registering it again
 * takes effect on every control-plane instance within this bound (at once on the one that did it).
 */
export const RUNNER_CACHE_MS = 5_000;

/** Who calls the runner API: credentials checked against the stored runner, cached briefly. */
export class RunnerDirectory {
  private readonly cache = new Map<string, { record: RunnerRecord | undefined; at: number }>();

  constructor(private readonly svc: Services) {}

  secret(): string {
    const s = this.svc.config.runnerSecret;
    if (!s) throw new NotConfiguredError('the runner API is disabled: set CID_RUNNER_SECRET');
    return s;
  }

  /** Keeps what this instance just wrote (register, revoke), so it holds here at once. */
  remember(record: RunnerRecord): void {
    this.cache.set(record.id, { record, at: Date.now() });
  }

  private async record(id: string): Promise<RunnerRecord | undefined> {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < RUNNER_CACHE_MS) return hit.record;
    const record = await this.svc.store.runners.get(id);
    this.cache.set(id, { record, at: Date.now() });
    return record;
  }

  /** The registered, unrevoked runner whose current credential the request carries, or a 401. */
  async authenticate(c: Context): Promise<RunnerRecord> {
    const claims = verifyRunnerCredential(this.secret(), c.req.header('authorization'));
    const record = await this.record(claims.runnerId);
    if (!record) throw new UnauthorizedError(`runner ${claims.runnerId} is not registered: register again`);
    if (record.revokedAt) throw new UnauthorizedError(`runner ${claims.runnerId} was revoked at ${record.revokedAt}`);
    if (!sameText(record.registrationId, claims.registrationId)) {
      throw new UnauthorizedError(`this credential is of an earlier registration of runner ${claims.runnerId}: register again`);
    }
    if (Date.now() - Date.parse(record.lastSeenAt) > 60_000) {
      await this.svc.store.runners.touch(record.id, record.registrationId);
      this.cache.delete(record.id);
    }
    return record;
  }
}

const directories = new WeakMap<Services, RunnerDirectory>();

/** The one directory of a control plane (its cache is shared by the runner and admin routes). */
export function runnerDirectory(svc: Services): RunnerDirectory {
  let d = directories.get(svc);
  if (!d) directories.set(svc, (d = new RunnerDirectory(svc)));
  return d;
}
