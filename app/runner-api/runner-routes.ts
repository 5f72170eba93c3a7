import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { JobIdSchema } from '../../lib/contract/index.ts';
import { BadRequestError, ConflictError, ForbiddenError, NotConfiguredError, NotFoundError } from '../../lib/errors/index.ts';
import type { Services } from '../services.ts';
import { verifyRunnerCredential } from './runner-credentials.ts';

const TokenRequest = z.strictObject({ jobId: JobIdSchema });

/** What a job may do with its token: read the source, report its check run. Nothing else. */
export const JOB_TOKEN_PERMISSIONS = { contents: 'read', checks: 'write', metadata: 'read' } as const;

/**
 * The runners' API. Runners never hold the App's key: for a job that is running on it, a runner
 * gets a short-lived installation token restricted to that job's repository and permissions.
 */
export function runnerRoutes(svc: Services): Hono {
  const r = new Hono();
  const runnerOf = (c: Context): string => {
    const secret = svc.config.runnerSecret;
    if (!secret) throw new NotConfiguredError('the runner API is disabled: set CID_RUNNER_SECRET');
    return verifyRunnerCredential(secret, /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1]);
  };

  r.post('/token', async (c) => {
    const runnerId = runnerOf(c);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new BadRequestError('body must be JSON: {"jobId": "…"}');
    }
    const { jobId } = TokenRequest.parse(body);
    const job = await svc.store.jobs.get(jobId);
    if (!job) throw new NotFoundError(`job ${jobId} not found`);
    if (job.status !== 'running' || job.runnerId !== runnerId) {
      throw new ForbiddenError(`job ${jobId} is not running on runner ${runnerId}`);
    }
    if (job.source.kind !== 'github' || job.source.installationId === undefined) {
      throw new ConflictError(`job ${jobId} has no GitHub installation to make a token for`);
    }
    if (!svc.github) throw new NotConfiguredError(`the GitHub App is not configured: set ${svc.config.githubMissing.join(', ')}`);
    const t = await svc.github.mintToken(job.source.installationId, job.repo, JOB_TOKEN_PERMISSIONS);
    svc.log.info({ runnerId, jobId, repo: job.repo }, 'job token minted');
    return c.json({ token: t.token, expiresAt: t.expiresAt, apiUrl: svc.github.config.baseUrl, repo: job.repo });
  });
  return r;
}
