import type { Context } from 'hono';
import { z } from 'zod';
import { JobIdSchema } from '../../lib/contract/index.ts';
import { ConflictError, ForbiddenError, NotConfiguredError, NotFoundError } from '../../lib/errors/index.ts';
import type { Services } from '../services.ts';
import { verifyLegacyRunnerCredential } from './runner-credentials.ts';

// Deprecated: the token request of runners from before registration and leases ({jobId} with a
// CID_RUNNER_TOKEN credential). Such runners still write their own check runs, hence checks:
// write. Goes away once every runner registers (issue #12).
export const LegacyTokenRequest = z.strictObject({ jobId: JobIdSchema });
export const LEGACY_JOB_TOKEN_PERMISSIONS = { contents: 'read', checks: 'write', metadata: 'read' } as const;

/** A request in the legacy form: no runner API credential and no lease. */
export function isLegacyTokenRequest(c: Context, body: unknown): boolean {
  return !/^Bearer cidr1\./.test(c.req.header('authorization') ?? '') && !(typeof body === 'object' && body !== null && 'lease' in body);
}

export async function legacyToken(svc: Services, c: Context, body: unknown): Promise<Response> {
  const secret = svc.config.runnerSecret;
  if (!secret) throw new NotConfiguredError('the runner API is disabled: set CID_RUNNER_SECRET');
  const runnerId = verifyLegacyRunnerCredential(secret, /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1]);
  const { jobId } = LegacyTokenRequest.parse(body);
  const job = await svc.store.jobs.get(jobId);
  if (!job) throw new NotFoundError(`job ${jobId} not found`);
  if (job.status !== 'running' || job.runnerId !== runnerId) throw new ForbiddenError(`job ${jobId} is not running on runner ${runnerId}`);
  if (job.source.kind !== 'github' || job.source.installationId === undefined) {
    throw new ConflictError(`job ${jobId} has no GitHub installation to make a token for`);
  }
  if (!svc.github) throw new NotConfiguredError(`the GitHub App is not configured: set ${svc.config.githubMissing.join(', ')}`);
  const t = await svc.github.mintToken(job.source.installationId, job.repo, LEGACY_JOB_TOKEN_PERMISSIONS);
  svc.log.info({ runnerId, jobId, repo: job.repo }, 'job token minted (legacy request)');
  return c.json({ token: t.token, expiresAt: t.expiresAt, apiUrl: svc.github.config.baseUrl, repo: job.repo });
}
