import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { RUNNER_ROUTES, type RegisterAnswer, type RenewAnswer } from '../../lib/contract/index.ts';
import { ForbiddenError } from '../../lib/errors/index.ts';
import { RunnerRevokedError } from '../store/index.ts';
import type { Services } from '../services.ts';
import { handBackHeld } from './hand-back.ts';
import { requestBody } from './request-body.ts';
import { runnerDirectory } from './runner-directory.ts';
import { issueRunnerCredential, verifyBootstrapToken } from './runner-credentials.ts';

/** A runner renews its credential at the latest this long before it ends. */
export const RENEW_BEFORE_SECONDS = 3600;

function credentialFor(svc: Services, secret: string, runnerId: string, registrationId: string): RenewAnswer {
  const expiresAt = Math.floor(Date.now() / 1000) + svc.config.runnerApi.credentialSeconds;
  return { credential: issueRunnerCredential(secret, { runnerId, registrationId, expiresAt }), expiresAt: new Date(expiresAt * 1000).toISOString() };
}

/** register (bootstrap token → the runner's own credential) and renew. */
export function mountRegisterRoutes(r: Hono, svc: Services): void {
  const dir = runnerDirectory(svc);

  r.post('/register', async (c) => {
    const secret = dir.secret();
    const pool = verifyBootstrapToken(secret, c.req.header('authorization'));
    const body = await requestBody(c, RUNNER_ROUTES.register.request);
    if (body.pool !== pool) throw new ForbiddenError(`this bootstrap token is for pool ${pool}, not ${body.pool}`);
    const registrationId = randomBytes(12).toString('base64url');
    let record;
    try {
      record = await svc.store.runners.register({ id: body.runnerId, pool, host: body.host, version: body.version, concurrency: body.concurrency, registrationId });
    } catch (err) {
      if (err instanceof RunnerRevokedError) throw new ForbiddenError(`runner ${body.runnerId} is revoked; register under another id (and rotate CID_RUNNER_SECRET if its host was compromised)`);
      throw err;
    }
    dir.remember(record);
    // The previous process of this runner (if any) lost its credential with this registration:
    // what it held nobody can continue, so it goes back to the queue now, not after the sweep.
    const handedBack = await handBackHeld(svc, record.id, 'abandoned');
    svc.log.info({ runnerId: record.id, pool, host: record.host, version: record.version, handedBack }, 'runner registered');
    const answer: RegisterAnswer = {
      runnerId: record.id,
      registrationId,
      ...credentialFor(svc, secret, record.id, registrationId),
      renewBeforeSeconds: Math.max(1, Math.min(RENEW_BEFORE_SECONDS, Math.floor(svc.config.runnerApi.credentialSeconds / 2))),
      queues: { urgent: svc.queues.jobQueueUrl(pool, 'urgent'), bulk: svc.queues.jobQueueUrl(pool, 'bulk') },
      heartbeatSeconds: svc.config.runnerApi.heartbeatSeconds,
      staleSeconds: svc.config.runnerApi.staleSeconds,
      handedBack,
    };
    return c.json(answer);
  });

  r.post('/renew', async (c) => {
    const runner = await dir.authenticate(c);
    await requestBody(c, RUNNER_ROUTES.renew.request);
    return c.json(credentialFor(svc, dir.secret(), runner.id, runner.registrationId));
  });
}
