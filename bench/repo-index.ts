// The repository index's admin API under load: 100 concurrent clients × 100 requests each
// (add, find, exists, list, remove), the workload on which the original cid design lost 10%.
// Baseline in the same run: the same load on a route that does nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../app/config/index.ts';
import { startControlPlane } from '../local/start-control-plane.ts';
import { createLogger } from '../lib/log/index.ts';
import { runLoad, percentile, round, isMain, type LoadRequest } from './support/load.ts';

const TOKEN = 'bench-admin-token-0123456789';

function clientScript(base: string, client: number, requests: number): LoadRequest[] {
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const out: LoadRequest[] = [];
  for (let k = 0; out.length < requests; k++) {
    const name = `bench${client}/repo${k}`;
    out.push({ method: 'POST', url: `${base}`, headers: auth, body: JSON.stringify({ name, description: `repo ${k}` }), expect: [201] });
    out.push({ method: 'GET', url: `${base}/${name}`, headers: auth, expect: [200] });
    out.push({ method: 'GET', url: `${base}/${name}/exists`, headers: auth, expect: [200] });
    out.push({ method: 'GET', url: `${base}?limit=20`, headers: auth, expect: [200] });
    // Every other repository is removed again, so the index grows and shrinks under load.
    if (k % 2 === 1) out.push({ method: 'DELETE', url: `${base}/${name}`, headers: auth, expect: [204] });
  }
  return out.slice(0, requests);
}

export async function run(opts: { clients?: number; requests?: number } = {}) {
  const clients = opts.clients ?? 100;
  const requests = opts.requests ?? 100;
  const dataDir = mkdtempSync(join(tmpdir(), 'cid-bench-index-'));
  const cp = await startControlPlane(loadConfig({ CID_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', CID_ADMIN_TOKEN: TOKEN }), {
    consumeResults: false,
    consumeEvents: false,
    sweeper: false,
    log: createLogger({ level: 'silent' }),
  });
  const baseline = new Hono().all('*', (c) => c.json({ ok: true }));
  const base = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: baseline.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  try {
    const baseUrl = `http://127.0.0.1:${(base.address() as AddressInfo).port}/x`;
    const b = await runLoad(
      Array.from({ length: clients }, (_, c) => clientScript(baseUrl, c, requests).map((r) => ({ ...r, expect: [200] }))),
    );
    const w = await runLoad(Array.from({ length: clients }, (_, c) => clientScript(`${cp.url}/api/admin/repositories`, c, requests)));
    // Every repository that was added and not removed is there, and nothing else.
    let kept = 0;
    for (let c = 0; c < clients; c++) {
      for (const r of clientScript('', c, requests)) {
        if (r.method !== 'POST') continue;
        const name = (JSON.parse(r.body ?? '{}') as { name: string }).name;
        const removed = clientScript('', c, requests).some((x) => x.method === 'DELETE' && x.url === `/${name}`);
        const present = (await cp.svc.store.repositories.get(name)) !== undefined;
        if (present === !removed) kept++;
      }
    }
    const adds = Array.from({ length: clients }, (_, c) => clientScript('', c, requests).filter((r) => r.method === 'POST').length).reduce((a, x) => a + x, 0);
    return {
      clients,
      requestsPerClient: requests,
      total: clients * requests,
      perSecond: round((clients * requests) / (w.wallMs / 1000)),
      p50Ms: round(percentile(w.latencies, 50)),
      p99Ms: round(percentile(w.latencies, 99)),
      failures: w.failureCount,
      firstFailures: w.failures.slice(0, 3),
      indexConsistent: `${kept}/${adds}`,
      baseline: { perSecond: round((clients * requests) / (b.wallMs / 1000)), p50Ms: round(percentile(b.latencies, 50)), p99Ms: round(percentile(b.latencies, 99)) },
    };
  } finally {
    await new Promise<void>((r) => base.close(() => r()));
    await cp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) console.log(JSON.stringify(await run(), null, 2));
