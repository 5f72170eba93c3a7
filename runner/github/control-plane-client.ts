import { z } from 'zod';

const TokenAnswer = z.object({ token: z.string().min(1), expiresAt: z.string(), apiUrl: z.string().url(), repo: z.string() });
export type JobToken = z.infer<typeof TokenAnswer>;

/** Something the runner could not get from the control plane: an infrastructure error, not the build's. */
export class ControlPlaneError extends Error {
  override readonly name = 'ControlPlaneError';
}

/** The runner's side of the control plane's runner API. */
export class ControlPlaneClient {
  constructor(
    private readonly apiUrl: string,
    private readonly credential: string | undefined,
  ) {}

  /** A short-lived token restricted to this job's repository (contents read, checks write). */
  async jobToken(jobId: string): Promise<JobToken> {
    if (!this.credential) throw new ControlPlaneError('this runner has no CID_RUNNER_TOKEN, so it cannot build GitHub sources');
    let lastError = '';
    for (let attempt = 0; attempt < 4; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      let res: Response;
      try {
        res = await fetch(`${this.apiUrl}/api/runner/token`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.credential}`, 'content-type': 'application/json' },
          body: JSON.stringify({ jobId }),
          signal: AbortSignal.timeout(15_000),
        });
      } catch (err) {
        lastError = `cannot reach ${this.apiUrl}: ${(err as Error).message}`;
        continue;
      }
      const text = await res.text();
      if (res.ok) return TokenAnswer.parse(JSON.parse(text));
      lastError = `${res.status}: ${text.slice(0, 300)}`;
      if (res.status < 500) break;
    }
    throw new ControlPlaneError(`job token refused by the control plane (${lastError})`);
  }
}
