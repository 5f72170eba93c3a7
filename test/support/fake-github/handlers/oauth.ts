// GitHub's web OAuth flow for a GitHub App's user sign-in (outside the REST API, so not in the
// OpenAPI routes): GET /login/oauth/authorize approves at once as a registered user (the one named
// by `login`, else the only user with a token) and redirects back with a code; POST
// /login/oauth/access_token trades the code for that user's token. Errors answer 200 with an
// `error` field, as GitHub does.
import { randomBytes } from 'node:crypto';
import type { AppCredentials } from '../app-credentials.ts';
import type { FakeWorld } from '../world.ts';
import type { HandlerResult } from './types.ts';

/** The client secret the fake expects for an App (configure the app under test with it). */
export const oauthClientSecret = (app: Pick<AppCredentials, 'clientId'>): string => `fake-secret-${app.clientId}`;

interface Grant {
  login: string;
  clientId: string;
  redirectUri: string;
  expiresAt: number;
}

const grants = new WeakMap<FakeWorld, Map<string, Grant>>();
const grantsOf = (world: FakeWorld): Map<string, Grant> => {
  let m = grants.get(world);
  if (!m) grants.set(world, (m = new Map()));
  return m;
};

const text = (status: number, body: string): HandlerResult => ({ status, raw: { data: Buffer.from(body), contentType: 'text/plain; charset=utf-8' } });

function authorize(world: FakeWorld, q: URLSearchParams): HandlerResult {
  const app = world.options.app;
  if (q.get('client_id') !== app.clientId) return text(404, 'Not Found: unknown client_id');
  const redirectUri = q.get('redirect_uri');
  if (!redirectUri) return text(400, 'redirect_uri is required by the fake');
  const login = q.get('login');
  const withToken = [...world.state.users.values()].filter((u) => u.token);
  const user = login ? world.findUser(login) : withToken.length === 1 ? withToken[0] : undefined;
  if (!user?.token) return text(400, login ? `user ${login} has no token` : 'pass ?login=<user>: more or fewer than one user has a token');
  const code = randomBytes(10).toString('hex');
  grantsOf(world).set(code, { login: user.login, clientId: app.clientId, redirectUri, expiresAt: world.options.now() + 600_000 });
  const back = new URL(redirectUri);
  back.searchParams.set('code', code);
  const state = q.get('state');
  if (state !== null) back.searchParams.set('state', state);
  return { status: 302, headers: { location: back.toString() } };
}

function fields(raw: Buffer, contentType: string | undefined): Record<string, string> {
  const body = raw.toString('utf8');
  if (contentType?.includes('application/json')) {
    try {
      const v: unknown = JSON.parse(body);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(body));
}

function accessToken(world: FakeWorld, raw: Buffer, headers: Record<string, string | string[] | undefined>): HandlerResult {
  const f = fields(raw, headers['content-type'] as string | undefined);
  const json = String(headers.accept ?? '').includes('json');
  const answer = (body: Record<string, string | number>): HandlerResult =>
    json
      ? { status: 200, body }
      : { status: 200, raw: { data: Buffer.from(new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString()), contentType: 'application/x-www-form-urlencoded' } };
  const fail = (error: string, description: string) =>
    answer({ error, error_description: description, error_uri: `https://docs.github.com/apps/oauth/troubleshooting#${error}` });

  const app = world.options.app;
  if (f.client_id !== app.clientId || f.client_secret !== oauthClientSecret(app)) {
    return fail('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
  }
  const grant = f.code ? grantsOf(world).get(f.code) : undefined;
  if (!grant || grant.expiresAt < world.options.now() || grant.clientId !== f.client_id) {
    return fail('bad_verification_code', 'The code passed is incorrect or expired.');
  }
  if (f.redirect_uri !== undefined && f.redirect_uri !== grant.redirectUri) {
    return fail('redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.');
  }
  grantsOf(world).delete(f.code as string);
  const user = world.findUser(grant.login);
  if (!user?.token) return fail('bad_verification_code', 'The code passed is incorrect or expired.');
  return answer({ access_token: user.token, token_type: 'bearer', scope: '', expires_in: 28_800 });
}

/** Answers /login/oauth/* requests; undefined for any other path. */
export function serveOAuth(
  world: FakeWorld,
  method: string,
  path: string,
  query: URLSearchParams,
  raw: Buffer,
  headers: Record<string, string | string[] | undefined>,
): HandlerResult | undefined {
  if (method === 'GET' && path === '/login/oauth/authorize') return authorize(world, query);
  if (method === 'POST' && path === '/login/oauth/access_token') return accessToken(world, raw, headers);
  return undefined;
}
