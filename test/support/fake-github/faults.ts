// Fault injection: make the next matching requests fail the way GitHub fails (5xx, rate limits).

export interface FaultSpec {
  /** HTTP method to match (any if omitted). */
  method?: string;
  /**
   * Path to match (without /api/v3 and query). A RegExp is tested against the path; a string is
   * an OpenAPI template (`/repos/{owner}/{repo}/check-runs/{check_run_id}`), a glob with `*`
   * (one segment) and `**` (any), or an exact path. Any path if omitted.
   */
  pathPattern?: string | RegExp;
  /** Match by operation instead, e.g. 'checks/update'. */
  operationId?: string;
  status: number;
  /** How many matching requests fail. Default 1. */
  count?: number;
  message?: string;
  /**
   * For 403/429: 'primary' sends x-ratelimit-remaining: 0 with a reset time (and retry-after),
   * 'secondary' sends GitHub's secondary-limit message with retry-after, 'none' a plain error.
   * Default 'primary' for 403 and 429.
   */
  rateLimit?: 'primary' | 'secondary' | 'none';
  /** Seconds in retry-after and until x-ratelimit-reset. Default 1 (0 makes Octokit wait 60 s). */
  retryAfter?: number;
  headers?: Record<string, string>;
}

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
  matches: (path: string) => boolean;
}

function templateToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; ) {
    if (pattern.startsWith('**', i)) {
      re += '.*';
      i += 2;
    } else if (pattern[i] === '*') {
      re += '[^/]+';
      i += 1;
    } else if (pattern[i] === '{') {
      const end = pattern.indexOf('}', i);
      re += '[^/]+';
      i = end < 0 ? pattern.length : end + 1;
    } else {
      re += (pattern[i] as string).replace(/[.+?^$()|[\]\\]/g, '\\$&');
      i += 1;
    }
  }
  return new RegExp(`^${re}$`);
}

export class FaultInjector {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    const p = spec.pathPattern;
    const matches =
      p === undefined ? () => true : p instanceof RegExp ? (path: string) => p.test(path) : (path: string) => templateToRegExp(p).test(path);
    this.faults.push({ spec, remaining: spec.count ?? 1, matches });
  }

  /** Number of injected failures still to be served. */
  pending(): number {
    return this.faults.reduce((n, f) => n + f.remaining, 0);
  }

  clear(): void {
    this.faults = [];
  }

  /** Consumes and returns the fault for this request, if one matches. */
  take(method: string, path: string, operationId: string | null, installationId: number | null, nowMs: number): FaultResponse | undefined {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.spec.method === undefined || f.spec.method.toUpperCase() === method) &&
        (f.spec.operationId === undefined || f.spec.operationId === operationId) &&
        f.matches(path),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return render(fault.spec, installationId, nowMs);
  }
}

function render(spec: FaultSpec, installationId: number | null, nowMs: number): FaultResponse {
  const retryAfter = spec.retryAfter ?? 1;
  const headers: Record<string, string> = {};
  let message = spec.message;
  const limited = spec.status === 403 || spec.status === 429;
  const mode = limited ? (spec.rateLimit ?? 'primary') : 'none';
  if (mode === 'primary') {
    Object.assign(headers, {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(Math.floor(nowMs / 1000) + retryAfter),
      'x-ratelimit-resource': 'core',
      'retry-after': String(retryAfter),
    });
    message ??= `API rate limit exceeded for ${installationId === null ? '127.0.0.1' : `installation ID ${installationId}`}.`;
  } else if (mode === 'secondary') {
    headers['retry-after'] = String(retryAfter);
    message ??= 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
  }
  message ??= spec.status >= 500 ? (spec.status === 502 ? 'Server Error' : 'Internal Server Error') : 'Forbidden';
  Object.assign(headers, spec.headers ?? {});
  return {
    status: spec.status,
    headers,
    body: { message, documentation_url: 'https://docs.github.com/rest', status: String(spec.status) },
  };
}
