// A bare HTTP client for poking the fake directly (tests of the fake, and tests that need to
// call GitHub the way something other than Octokit would).
import type { FakeGitHub } from './server.ts';

export interface ApiCallOptions {
  /** Sent as `Authorization: token <token>`. */
  token?: string;
  /** A complete Authorization header value; wins over `token`. */
  authorization?: string;
  body?: unknown;
  /** Sent verbatim instead of JSON-encoding `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Call under GitHub Enterprise's /api/v3 prefix. */
  enterprise?: boolean;
  redirect?: RequestRedirect;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
  text: string;
}

export async function callApi(fake: FakeGitHub, method: string, path: string, o: ApiCallOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { accept: 'application/vnd.github+json', ...o.headers };
  const authorization = o.authorization ?? (o.token ? `token ${o.token}` : undefined);
  if (authorization) headers.authorization = authorization;
  let body: string | undefined = o.rawBody;
  if (body === undefined && o.body !== undefined) body = JSON.stringify(o.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${o.enterprise ? fake.enterpriseUrl : fake.url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
    redirect: o.redirect ?? 'manual',
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
