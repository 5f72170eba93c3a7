// The fake GitHub REST server: routes by GitHub's OpenAPI paths, checks credentials like GitHub,
// validates request bodies against GitHub's schemas and records everything for assertions.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { identify, requireAppJwt, requireRepoAccess, requireUser } from './access.ts';
import type { Credentials } from './access.ts';
import { testAppCredentials } from './app-credentials.ts';
import type { AppCredentials } from './app-credentials.ts';
import { GitHubHttpError, notFound } from './errors.ts';
import { FaultInjector } from './faults.ts';
import type { FaultSpec } from './faults.ts';
import { handlers, serveCodeload, serveRaw } from './handlers/index.ts';
import { serveOAuth } from './handlers/oauth.ts';
import type { HandlerContext, HandlerResult, OperationHandler } from './handlers/index.ts';
import type { RepoFiles, RepoSnapshot } from './repo-snapshot.ts';
import { matchRoute } from './routes.ts';
import { validateRequestBody, validateResponseBody } from './schema-validator.ts';
import type { ShapeContext } from './shapes.ts';
import type {
  CallAuth,
  FakeGitHubState,
  FakeInstallation,
  FakePullRequest,
  FakeRepo,
  FakeToken,
  FakeUser,
  PermissionSet,
  RecordedRequest,
} from './state.ts';
import { FakeWorld } from './world.ts';
import type { InstallationSetup, PullRequestSetup, RepoSetup, SnapshotSetup, TokenRequest, UserSetup } from './world.ts';

export interface FakeGitHubOptions {
  /** The GitHub App the fake recognises. Default: testAppCredentials() (one key per process). */
  app?: AppCredentials;
  /** Base of html_url links. Default https://github.com */
  htmlBase?: string;
  /** Clock for token expiry and JWT checks (ms since the epoch). Default Date.now. */
  now?: () => number;
  /** Lifetime of installation tokens. Default one hour, as on GitHub. */
  tokenTtlMs?: number;
  /** Permissions of installations that do not name their own. */
  defaultPermissions?: PermissionSet;
  /** Accept request body fields GitHub's schema does not name (GitHub ignores them). Default false. */
  allowUnknownBodyFields?: boolean;
  /** Check the fake's own responses against GitHub's response schemas. Default true. */
  validateResponses?: boolean;
}

export const DEFAULT_PERMISSIONS: PermissionSet = {
  metadata: 'read',
  contents: 'read',
  checks: 'write',
  statuses: 'write',
  issues: 'write',
  pull_requests: 'write',
};

const DEFAULT_EVENTS = ['check_run', 'check_suite', 'issue_comment', 'pull_request', 'push'];
const ENTERPRISE_PREFIX = '/api/v3';

export class FakeGitHub {
  readonly world: FakeWorld;
  readonly faults = new FaultInjector();
  private server: Server | undefined;
  private origin = '';
  private seq = 0;

  constructor(private readonly options: FakeGitHubOptions = {}) {
    this.world = new FakeWorld({
      app: options.app ?? testAppCredentials(),
      now: options.now ?? Date.now,
      tokenTtlMs: options.tokenTtlMs ?? 60 * 60_000,
      defaultPermissions: options.defaultPermissions ?? DEFAULT_PERMISSIONS,
      events: DEFAULT_EVENTS,
    });
  }

  /** Base URL for Octokit's `baseUrl` (github.com style: endpoints at the root). */
  get url(): string {
    return this.origin;
  }

  /** The same server GitHub Enterprise style: endpoints under /api/v3. */
  get enterpriseUrl(): string {
    return `${this.origin}${ENTERPRISE_PREFIX}`;
  }

  get app(): AppCredentials {
    return this.world.options.app;
  }

  get state(): FakeGitHubState {
    return this.world.state;
  }

  /** Every request received, in order. */
  get requests(): RecordedRequest[] {
    return this.world.state.requests;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // A bug in the fake itself: answer 500 and make it loud.
        console.error('fake-github internal error', err);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `fake-github internal error: ${String(err)}` }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // ---- setup ----

  addInstallation(setup: InstallationSetup): FakeInstallation {
    return this.world.addInstallation(setup);
  }

  addRepo(fullName: string, setup?: RepoSetup): FakeRepo {
    return this.world.addRepo(fullName, setup);
  }

  /** Registers a user; with a `token` (gho_…) they can call the API. */
  addUser(setup: UserSetup): FakeUser {
    return this.world.addUser(setup);
  }

  addPullRequest(repo: string, setup: PullRequestSetup): FakePullRequest {
    return this.world.addPullRequest(repo, setup);
  }

  /**
   * The files of commit `sha`; `refs` (e.g. ['main']) point branches or tags at it, `message` and
   * `parents` are what git/get-commit tells of it.
   */
  setRepoFiles(repo: string, sha: string, files: RepoFiles, opts?: SnapshotSetup): RepoSnapshot {
    return this.world.setRepoFiles(repo, sha, files, opts);
  }

  setRef(repo: string, ref: string, sha: string): void {
    this.world.setRef(repo, ref, sha);
  }

  /** Makes the next matching request(s) fail; see FaultSpec. */
  failNext(fault: FaultSpec): void {
    this.faults.add(fault);
  }

  /** Mints an installation token directly, skipping the JWT exchange. */
  mintInstallationToken(installationId: number, req?: TokenRequest): string {
    return this.world.mintToken(installationId, req).token;
  }

  tokenInfo(token: string): FakeToken | undefined {
    return this.world.state.tokens.get(token);
  }

  expireToken(token: string): void {
    const t = this.world.state.tokens.get(token);
    if (t) t.expiresAt = new Date(this.world.options.now() - 1000);
  }

  revokeToken(token: string): void {
    const t = this.world.state.tokens.get(token);
    if (t) t.revoked = true;
  }

  /** Requests for one operation (e.g. 'checks/update'), in order. */
  requestsFor(operationId: string): RecordedRequest[] {
    return this.world.state.requests.filter((r) => r.operationId === operationId);
  }

  // ---- HTTP ----

  private shapes(apiBase: string): ShapeContext {
    const { app } = this.world.options;
    return {
      apiBase,
      htmlBase: this.options.htmlBase ?? 'https://github.com',
      app: {
        id: app.appId,
        slug: app.slug,
        clientId: app.clientId,
        name: `${app.slug} (test)`,
        owner: this.world.account('cid-dev', { type: 'Organization' }),
        events: DEFAULT_EVENTS,
        permissions: this.world.options.defaultPermissions,
      },
      repo: (n) => this.world.findRepo(n),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', this.origin);
    const enterprisePrefix = url.pathname === ENTERPRISE_PREFIX || url.pathname.startsWith(`${ENTERPRISE_PREFIX}/`);
    const path = enterprisePrefix ? url.pathname.slice(ENTERPRISE_PREFIX.length) || '/' : url.pathname;
    const rawBody = await readBody(req);
    const creds = identify(this.world, req.headers);
    const record: RecordedRequest = {
      seq: ++this.seq,
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      enterprisePrefix,
      operationId: null,
      repo: null,
      tokenKind: creds.kind,
      auth: plainAuth(creds),
      body: parseLoosely(rawBody),
      status: 0,
      injected: false,
      delivery: typeof req.headers['x-github-delivery'] === 'string' ? req.headers['x-github-delivery'] : null,
    };
    this.world.state.requests.push(record);
    const send = (result: HandlerResult) => {
      record.status = result.status;
      respond(res, result);
    };

    const route = matchRoute(method, path);
    record.operationId = route?.op.operationId ?? null;
    if (route?.params.owner !== undefined && route.params.repo !== undefined) {
      record.repo = `${route.params.owner}/${route.params.repo}`;
    }

    const fault = this.faults.take(method, path, record.operationId, creds.installationId, this.world.options.now());
    if (fault) {
      record.injected = true;
      send(fault);
      return;
    }

    try {
      if (method === 'GET' && path.startsWith('/_codeload/')) return send(serveCodeload(this.world, path, url.searchParams));
      if (method === 'GET' && path.startsWith('/_raw/')) return send(serveRaw(this.world, path));
      const oauth = path.startsWith('/login/oauth/') ? serveOAuth(this.world, method, path, url.searchParams, rawBody, req.headers) : undefined;
      if (oauth) return send(oauth);
      const handler = route && handlers[route.op.operationId];
      if (!route || !handler) {
        this.world.state.unhandled.push({ method, path: url.pathname + url.search });
        throw notFound();
      }
      const { op, params } = route;

      const base = {
        world: this.world,
        shapes: this.shapes(`${this.origin}${enterprisePrefix ? ENTERPRISE_PREFIX : ''}`),
        params,
        query: url.searchParams,
        headers: req.headers,
        body: undefined as unknown,
        creds,
        origin: this.origin,
        url,
      } satisfies HandlerContext;

      // GitHub authenticates before it looks at the body.
      const invoke = this.authorize(handler, creds, params);
      if (op.requestBody) base.body = this.parseAndValidate(op.operationId, rawBody);
      const result = invoke(base);
      if (this.options.validateResponses !== false && result.status === op.response.status && result.body !== undefined) {
        const check = validateResponseBody(op.operationId, result.body);
        if (!check.valid) {
          this.world.state.invalidResponses.push({ operationId: op.operationId, path, body: result.body, issues: check.issues });
        }
      }
      send(result);
    } catch (err) {
      if (!(err instanceof GitHubHttpError)) throw err;
      if (err.options.invalidRequest) {
        this.world.state.invalidRequests.push({
          method,
          path,
          operationId: record.operationId,
          body: record.body,
          message: err.message,
          issues: err.options.issues ?? [],
        });
      }
      send({ status: err.status, body: err.body(), ...(err.options.headers ? { headers: err.options.headers } : {}) });
    }
  }

  private authorize(
    handler: OperationHandler,
    creds: Credentials,
    params: Record<string, string>,
  ): (ctx: HandlerContext) => HandlerResult {
    switch (handler.auth) {
      case 'app':
        requireAppJwt(creds);
        return (ctx) => handler.handle(ctx);
      case 'user':
        requireUser(creds);
        return (ctx) => handler.handle(ctx);
      case 'repo': {
        const repo = requireRepoAccess(this.world, creds, `${params.owner}/${params.repo}`, handler.need);
        return (ctx) => handler.handle({ ...ctx, repo });
      }
    }
  }

  private parseAndValidate(operationId: string, raw: Buffer): unknown {
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new GitHubHttpError(400, 'Problems parsing JSON', { invalidRequest: true });
      }
    }
    const check = validateRequestBody(operationId, body, { allowUnknownFields: this.options.allowUnknownBodyFields ?? false });
    if (!check.valid) {
      throw new GitHubHttpError(422, `Invalid request.\n\n${check.issues.map((i) => i.message).join('\n')}`, {
        invalidRequest: true,
        issues: check.issues,
      });
    }
    return body;
  }
}

function plainAuth(c: Credentials): CallAuth {
  return { kind: c.kind, token: c.token, installationId: c.installationId, login: c.login };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseLoosely(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function respond(res: ServerResponse, result: HandlerResult): void {
  const headers: Record<string, string> = {
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected': '2022-11-28',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-used': '1',
    'x-ratelimit-resource': 'core',
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    ...(result.headers ?? {}),
  };
  let payload: Buffer | string = '';
  if (result.raw) {
    headers['content-type'] = result.raw.contentType;
    payload = result.raw.data;
  } else if (result.body !== undefined) {
    headers['content-type'] = 'application/json; charset=utf-8';
    payload = JSON.stringify(result.body);
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(result.status, headers);
  res.end(payload);
}

/** Starts a fake GitHub on an ephemeral loopback port. Close it when done. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const fake = new FakeGitHub(options);
  await fake.listen();
  return fake;
}
