import type { z } from 'zod';
import {
  RUNNER_API_PREFIX,
  RUNNER_ROUTES,
  type RegisterAnswer,
  type RegisterRequest,
  type RunnerRoute,
} from '../contract/index.ts';
import { RunnerApiError } from './runner-api-error.ts';

type Req<R extends RunnerRoute> = z.input<(typeof RUNNER_ROUTES)[R]['request']>;
type Ans<R extends RunnerRoute> = z.infer<(typeof RUNNER_ROUTES)[R]['answer']>;

export interface RunnerApiClientOptions {
  /** The control plane's base URL (CID_API_URL), without /api/runner. */
  apiUrl: string;
  /** The pool's bootstrap token: only `register` uses it. */
  bootstrapToken: string;
  /** Attempts per call for network errors and 5xx (4xx are never retried). */
  attempts?: number;
  /** First backoff; doubled each retry. */
  backoffMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * The runner's side of the runner API (lib/contract/runner-api.ts): every route POSTs JSON with
 * the bearer credential and parses the answer with the contract's schema. Network errors and 5xx
 * are retried with backoff a bounded number of times; a 4xx is the server's answer, thrown at once
 * as a RunnerApiError. The credential from `register` is renewed inside the client before it expires.
 */
export class RunnerApiClient {
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private credential: string | undefined;
  private expiresAt = 0;
  private renewBeforeMs = 0;
  private renewing: Promise<void> | undefined;
  /** Requests sent (retries included), for benchmarks and metrics. */
  requests = 0;

  constructor(private readonly o: RunnerApiClientOptions) {
    this.attempts = o.attempts ?? 5;
    this.backoffMs = o.backoffMs ?? 250;
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.fetch = o.fetch ?? globalThis.fetch;
    this.now = o.now ?? Date.now;
  }

  get registered(): boolean {
    return this.credential !== undefined;
  }

  async register(body: RegisterRequest): Promise<RegisterAnswer> {
    const a = await this.send('register', body, this.o.bootstrapToken);
    this.setCredential(a.credential, a.expiresAt);
    this.renewBeforeMs = a.renewBeforeSeconds * 1000;
    return a;
  }

  /** Renews the credential now (the client also does this itself before it expires). */
  async renew(): Promise<Ans<'renew'>> {
    const a = await this.send('renew', {}, this.requireCredential());
    this.setCredential(a.credential, a.expiresAt);
    return a;
  }

  claim(body: Req<'claim'>): Promise<Ans<'claim'>> {
    return this.call('claim', body);
  }
  heartbeat(body: Req<'heartbeat'>): Promise<Ans<'heartbeat'>> {
    return this.call('heartbeat', body);
  }
  /** Idempotent by chunk seq: a retry of a request the server already took is accepted again. */
  log(body: Req<'log'>): Promise<Ans<'log'>> {
    return this.call('log', body);
  }
  finish(body: Req<'finish'>): Promise<Ans<'finish'>> {
    return this.call('finish', body);
  }
  release(body: Req<'release'>): Promise<Ans<'release'>> {
    return this.call('release', body);
  }
  token(body: Req<'token'>): Promise<Ans<'token'>> {
    return this.call('token', body);
  }
  held(): Promise<Ans<'held'>> {
    return this.call('held', {});
  }

  private setCredential(credential: string, expiresAt: string): void {
    this.credential = credential;
    const t = Date.parse(expiresAt);
    this.expiresAt = Number.isNaN(t) ? Infinity : t;
  }

  private requireCredential(): string {
    if (!this.credential) throw new RunnerApiError('register', 0, 'not registered: call register first');
    return this.credential;
  }

  private async call<R extends Exclude<RunnerRoute, 'register' | 'renew'>>(route: R, body: Req<R>): Promise<Ans<R>> {
    this.requireCredential();
    if (this.now() >= this.expiresAt - this.renewBeforeMs) {
      // One renewal for all the calls that notice it at once.
      this.renewing ??= this.renew()
        .then(() => undefined)
        .finally(() => (this.renewing = undefined));
      await this.renewing;
    }
    return this.send(route, body, this.requireCredential());
  }

  private async send<R extends RunnerRoute>(route: R, body: Req<R>, bearer: string): Promise<Ans<R>> {
    const url = `${this.o.apiUrl.replace(/\/$/, '')}${RUNNER_API_PREFIX}/${route}`;
    const payload = JSON.stringify(body);
    let last: RunnerApiError | undefined;
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** (attempt - 1)));
      let res: Response;
      let text: string;
      try {
        this.requests++;
        res = await this.fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          body: payload,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        text = await res.text();
      } catch (err) {
        last = new RunnerApiError(route, 0, `cannot reach ${this.o.apiUrl}: ${(err as Error).message}`);
        continue;
      }
      if (res.ok) {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          throw new RunnerApiError(route, res.status, `answer is not JSON: ${text.slice(0, 200)}`);
        }
        const parsed = RUNNER_ROUTES[route].answer.safeParse(json);
        if (!parsed.success) throw new RunnerApiError(route, res.status, `answer does not match the contract: ${parsed.error.message}`);
        return parsed.data as Ans<R>;
      }
      const { code, message } = errorOf(text);
      last = new RunnerApiError(route, res.status, message, code);
      if (res.status < 500) throw last;
    }
    throw last ?? new RunnerApiError(route, 0, 'no attempt made');
  }
}

function errorOf(text: string): { code?: string; message: string } {
  try {
    const j = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (j.error && typeof j.error.message === 'string') {
      return { message: j.error.message, ...(typeof j.error.code === 'string' ? { code: j.error.code } : {}) };
    }
  } catch {
    // not JSON: the raw text below
  }
  return { message: text.slice(0, 300) || '(empty answer)' };
}
