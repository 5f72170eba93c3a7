// The CLI's view of cid's JSON API: typed GETs, streamed NDJSON, POST actions, and API errors
// turned back into the typed errors (so a 404 exits with 4, a 401 with 3).
import { z } from 'zod';
import { BadRequestError, CidError, ConflictError, ForbiddenError, NotConfiguredError, NotFoundError, UnauthorizedError } from '../lib/errors/index.ts';

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

function errorFor(status: number, message: string): CidError {
  switch (status) {
    case 400:
    case 422:
      return new BadRequestError(message);
    case 401:
      return new UnauthorizedError(message);
    case 403:
      return new ForbiddenError(message);
    case 404:
      return new NotFoundError(message);
    case 409:
      return new ConflictError(message);
    case 503:
      return new NotConfiguredError(message);
    default:
      return new CidError('api', `the API answered ${status}: ${message}`, { status, exitCode: 1 });
  }
}

export class ApiClient {
  constructor(
    private readonly base: string,
    private readonly token: string | undefined,
    /** The API's path prefix: the JSON API, or `/api/admin` for the admin API. */
    private readonly prefix = '/api/github',
  ) {}

  private async request(method: string, path: string): Promise<Response> {
    const url = `${this.base.replace(/\/$/, '')}${this.prefix}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { accept: 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
      const why = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (err as Error).message;
      throw new CidError('unreachable', `cannot reach cid at ${this.base} (${why}); set --api or CID_API_URL`, { status: 503, exitCode: 1 });
    }
    if (!res.ok) {
      const text = await res.text();
      const parsed = ErrorBody.safeParse((() => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return undefined;
        }
      })());
      throw errorFor(res.status, parsed.success ? parsed.data.error.message : text.slice(0, 200) || res.statusText);
    }
    return res;
  }

  async get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    return schema.parse(await (await this.request('GET', path)).json());
  }

  async post<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    return schema.parse(await (await this.request('POST', path)).json());
  }

  /** NDJSON lines as they arrive. */
  async *lines(path: string): AsyncGenerator<unknown> {
    const res = await this.request('GET', path);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (value) buf += dec.decode(value, { stream: true });
      let nl = buf.indexOf('\n');
      while (nl !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) yield JSON.parse(line) as unknown;
        nl = buf.indexOf('\n');
      }
      if (done) break;
    }
    if (buf.trim()) yield JSON.parse(buf) as unknown;
  }
}

export const segment = (s: string): string => encodeURIComponent(s);

/** "/owner/repo" with each part encoded. */
export function repoSegment(repo: string): string {
  const [o, r] = repo.split('/') as [string, string];
  return `/${segment(o)}/${segment(r)}`;
}
