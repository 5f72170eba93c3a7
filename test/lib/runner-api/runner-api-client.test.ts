// The runner API client's HTTP behaviour: bearer credentials, answers parsed with the contract,
// bounded retries of 5xx and network errors (never of 4xx), and renewal before the credential
// expires. The server here is a scripted HTTP server standing for the network: the client against
// the real routes is exercised by the runner tests (test/runner/worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RunnerApiClient, RunnerApiError } from '../../../lib/runner-api/index.ts';

type Seen = { route: string; auth: string; body: unknown };
type Handler = (route: string, body: unknown, res: ServerResponse, req: IncomingMessage) => void;

async function server(handler: Handler): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const s = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const route = (req.url ?? '').replace('/api/runner/', '');
      const body = text ? (JSON.parse(text) as unknown) : undefined;
      seen.push({ route, auth: req.headers.authorization ?? '', body });
      handler(route, body, res, req);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen, close: () => new Promise((r) => s.close(() => r())) };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const registered = (expiresInMs: number, credential = 'cred-1') => ({
  runnerId: 'r1',
  registrationId: 'reg-1',
  credential,
  expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
  renewBeforeSeconds: 60,
  queues: { urgent: 'http://q/urgent', bulk: 'http://q/bulk' },
  heartbeatSeconds: 1,
  staleSeconds: 3,
  handedBack: [],
});
const REGISTER = { runnerId: 'r1', pool: 'linux-x86_64' as const, host: 'h', version: '1', concurrency: 1 };
const LEASE = { jobId: `j${'0'.repeat(24)}`, attempt: 1, token: 'lease-token-0123456789' };

test('register sends the bootstrap token; every later call the credential it answered', async () => {
  const s = await server((route, _b, res) => (route === 'register' ? json(res, 200, registered(3600_000)) : json(res, 200, { jobs: [] })));
  try {
    const api = new RunnerApiClient({ apiUrl: `${s.url}/`, bootstrapToken: 'boot-token' });
    await assert.rejects(api.held(), (e: unknown) => e instanceof RunnerApiError && /not registered/.test(e.message));
    const a = await api.register(REGISTER);
    assert.equal(a.credential, 'cred-1');
    assert.deepEqual(await api.held(), { jobs: [] });
    assert.deepEqual(
      s.seen.map((x) => [x.route, x.auth]),
      [
        ['register', 'Bearer boot-token'],
        ['held', 'Bearer cred-1'],
      ],
    );
    assert.deepEqual(s.seen[0]!.body, REGISTER);
  } finally {
    await s.close();
  }
});

test('5xx and dropped connections are retried, a bounded number of times; 4xx never, with the server’s message', async () => {
  let beats = 0;
  const s = await server((route, _b, res) => {
    if (route === 'register') return json(res, 200, registered(3600_000));
    if (route === 'heartbeat') {
      beats++;
      if (beats === 1) return res.socket?.destroy();
      if (beats === 2) return json(res, 503, { error: { code: 'unavailable', message: 'busy' } });
      return json(res, 200, { expiresAt: new Date().toISOString() });
    }
    if (route === 'finish') return json(res, 409, { error: { code: 'conflict', message: 'the lease is not current' } });
    return json(res, 500, { error: { code: 'internal', message: 'boom' } });
  });
  try {
    const api = new RunnerApiClient({ apiUrl: s.url, bootstrapToken: 'boot-token', attempts: 3, backoffMs: 5 });
    await api.register(REGISTER);
    assert.ok((await api.heartbeat({ lease: LEASE })).expiresAt);
    assert.equal(beats, 3, 'a dropped connection and a 503, then the answer');

    const before = s.seen.length;
    const conflict = await api.finish({ lease: LEASE, status: 'passed', report: { annotations: [] } }).catch((e: unknown) => e);
    assert.ok(conflict instanceof RunnerApiError);
    assert.equal(conflict.status, 409);
    assert.equal(conflict.code, 'conflict');
    assert.match(conflict.message, /the lease is not current/);
    assert.equal(s.seen.length - before, 1, 'a 4xx is not retried');

    const before2 = s.seen.length;
    const down = await api.release({ lease: LEASE }).catch((e: unknown) => e);
    assert.ok(down instanceof RunnerApiError && down.status === 500 && /boom/.test(down.message));
    assert.equal(s.seen.length - before2, 3, 'attempts are bounded');
  } finally {
    await s.close();
  }
});

test('an answer that does not match the contract is an error, not a guess', async () => {
  const s = await server((route, _b, res) => (route === 'register' ? json(res, 200, registered(3600_000)) : json(res, 200, { result: 'claimed' })));
  try {
    const api = new RunnerApiClient({ apiUrl: s.url, bootstrapToken: 'boot-token' });
    await api.register(REGISTER);
    await assert.rejects(api.claim({ jobId: LEASE.jobId, generation: 1 }), (e: unknown) => e instanceof RunnerApiError && /does not match the contract/.test(e.message));
  } finally {
    await s.close();
  }
});

test('the credential is renewed before it expires (renewBeforeSeconds), once for calls made together', async () => {
  let renewals = 0;
  const s = await server((route, _b, res) => {
    // Expires in 30 s, renew 60 s before: due at once.
    if (route === 'register') return json(res, 200, registered(30_000));
    if (route === 'renew') {
      renewals++;
      return json(res, 200, { credential: `cred-${renewals + 1}`, expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    }
    return json(res, 200, { jobs: [] });
  });
  try {
    const api = new RunnerApiClient({ apiUrl: s.url, bootstrapToken: 'boot-token' });
    await api.register(REGISTER);
    await Promise.all([api.held(), api.held(), api.held()]);
    assert.equal(renewals, 1);
    assert.deepEqual(
      s.seen.map((x) => `${x.route} ${x.auth}`),
      ['register Bearer boot-token', 'renew Bearer cred-1', 'held Bearer cred-2', 'held Bearer cred-2', 'held Bearer cred-2'],
    );
  } finally {
    await s.close();
  }
});
