// Webhook acknowledgement under load: 5,000 signed push deliveries at concurrency 50 against the
// local stack (dynalite on disk, fauxqs), then a check that each became exactly one pipeline with
// its (analysis) job queued. Baseline in the same run: the same load on a route that does nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { sign } from '@octokit/webhooks-methods';
import { loadConfig } from '../app/config/index.ts';
import { startControlPlane } from '../local/start-control-plane.ts';
import { createLogger } from '../lib/log/index.ts';
import { pipelineId } from '../lib/contract/index.ts';
import { jobIdFor } from '../app/store/index.ts';
import { EVENTS_QUEUE_KEY } from '../lib/resources/index.ts';
import { makePushPayload } from '../test/support/webhooks.ts';
import { throwawayPrivateKey } from '../test/support/control-plane.ts';
import { runLoad, percentile, round, isMain, type LoadRequest } from './support/load.ts';

const SECRET = 'bench-secret';

export async function run(opts: { deliveries?: number; concurrency?: number } = {}) {
  const total = opts.deliveries ?? 5000;
  const concurrency = opts.concurrency ?? 50;
  const dataDir = mkdtempSync(join(tmpdir(), 'cid-bench-webhook-'));
  const cp = await startControlPlane(
    loadConfig({ CID_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', APP_ID: '1', PRIVATE_KEY: throwawayPrivateKey(), WEBHOOK_SECRET: SECRET }),
    // The events consumer runs (it turns deliveries into pipelines); the results consumer would
    // only add GitHub calls, which have nowhere to go here.
    { consumeResults: false, sweeper: false, log: createLogger({ level: 'silent' }) },
  );
  const baseline = new Hono().post('/', async (c) => c.json({ ok: true, bytes: (await c.req.arrayBuffer()).byteLength }));
  const base = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: baseline.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(base.address() as AddressInfo).port}/`;
  try {
    const template = makePushPayload({ repo: 'bench/repo0', sha: '0'.repeat(39) + '1', installationId: 1 });
    const shas: { repo: string; sha: string }[] = [];
    const webhookReqs: LoadRequest[] = [];
    const baseReqs: LoadRequest[] = [];
    for (let i = 0; i < total; i++) {
      const repo = `bench/repo${i % 20}`;
      const sha = i.toString(16).padStart(40, 'e');
      shas.push({ repo, sha });
      // One branch per delivery: every push is a new head, none supersedes another.
      const payload = { ...template, ref: `refs/heads/b${i}`, after: sha, repository: { ...template.repository, full_name: repo } };
      const body = JSON.stringify(payload);
      const headers = {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': `bench-${i}`,
        'x-hub-signature-256': await sign(SECRET, body),
      };
      webhookReqs.push({ method: 'POST', url: `${cp.url}/api/github/webhooks`, headers, body, expect: [202] });
      baseReqs.push({ method: 'POST', url: baseUrl, headers, body, expect: [200] });
    }
    const split = (reqs: LoadRequest[]) => Array.from({ length: concurrency }, (_, c) => reqs.filter((_, i) => i % concurrency === c));

    const b = await runLoad(split(baseReqs));
    const t0 = performance.now();
    const w = await runLoad(split(webhookReqs));
    // Then until the events consumer has turned every delivery into a pipeline.
    const eventsUrl = cp.svc.queues.url(EVENTS_QUEUE_KEY);
    for (;;) {
      const d = await cp.svc.queues.depth(eventsUrl);
      if (d.visible + d.inFlight + d.delayed === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const processedMs = performance.now() - t0;

    // Every delivery: exactly one pipeline, one analysis job, one message on the urgent queue.
    let pipelines = 0;
    let analysis = 0;
    for (const { repo, sha } of shas) {
      if (await cp.svc.store.pipelines.get(pipelineId(repo, sha))) pipelines++;
      const j = await cp.svc.store.jobs.get(jobIdFor(pipelineId(repo, sha), '(analysis)'));
      if (j?.status === 'queued') analysis++;
    }
    const depth = await cp.svc.queues.depth(cp.svc.queues.jobQueueUrl('linux-x86_64', 'urgent'));
    return {
      deliveries: total,
      concurrency,
      perSecond: round(total / (w.wallMs / 1000)),
      p50Ms: round(percentile(w.latencies, 50)),
      p99Ms: round(percentile(w.latencies, 99)),
      allProcessedAfterS: round(processedMs / 1000),
      processedPerSecond: round(total / (processedMs / 1000)),
      failures: w.failureCount,
      firstFailures: w.failures.slice(0, 3),
      pipelines,
      analysisJobsQueued: analysis,
      messagesOnQueue: depth.visible,
      baseline: { perSecond: round(total / (b.wallMs / 1000)), p50Ms: round(percentile(b.latencies, 50)), p99Ms: round(percentile(b.latencies, 99)) },
    };
  } finally {
    await new Promise<void>((r) => base.close(() => r()));
    await cp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) console.log(JSON.stringify(await run(), null, 2));
