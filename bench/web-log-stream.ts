// A 50 MB job log streamed to a client, as plain text (/raw), as the HTML job page and as the
// CLI's NDJSON: throughput, and the server's peak RSS above its idle RSS while it streams. The
// server runs in a child process (measured from /proc) and, as in production where DynamoDB is
// elsewhere, its store (dynalite) runs in this process. Goal: growth < 50 MB.
// Run: npx tsx bench/web-log-stream.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startLocalStack } from '../infra/local-stack/index.ts';
import { isMain, round } from './support/load.ts';

const MB = 1024 * 1024;

interface Ready {
  url: string;
  raw: string;
  page: string;
  ndjson: string;
  pid: number;
  logBytes: number;
  seedSeconds: number;
}

/** The server side: a control plane holding one job with a `mb` MB log. */
async function serve(mb: number, env: Record<string, string>): Promise<void> {
  const { startTestControlPlane } = await import('../test/support/control-plane.ts');
  const { startPipeline } = await import('../app/pipelines/index.ts');
  const { jobIdFor, logIdFor, MAX_LOG_CHUNK_BYTES } = await import('../app/store/index.ts');
  const t0 = performance.now();
  const cp = await startTestControlPlane(env, { consumeResults: false, consumeEvents: false, sweeper: false });
  const repo = 'bench/biglog';
  const sha = 'c'.repeat(40);
  await cp.svc.store.repositories.add({ name: repo, description: '', kind: 'git', url: `https://github.com/${repo}`, private: false, defaultBranch: 'main', active: true });
  await startPipeline(cp.svc, { repo, sha, ref: 'refs/heads/main', source: { kind: 'github', repo, sha, cloneUrl: `https://github.com/${repo}.git`, fromFork: false } });
  const id = jobIdFor(`${repo}@${sha}`, '(analysis)');
  await cp.svc.store.jobs.claim(id, { runnerId: 'bench', generation: 1, staleBefore: new Date(0).toISOString() });
  const line = (i: number) => `2026-01-01 10:${String(Math.floor(i / 6000) % 60).padStart(2, '0')}.${String(Math.floor(i / 100) % 60).padStart(2, '0')}: \x1b[32m[${i}]\x1b[0m ocamlfind ocamlopt -package fmt,logs -c src/module_${i % 97}.ml -o _build/default/src/module.cmx\n`;
  let seq = 0;
  let bytes = 0;
  let n = 0;
  while (bytes < mb * MB) {
    let chunk = '';
    for (;;) {
      const l = line(n);
      if (chunk.length + l.length > MAX_LOG_CHUNK_BYTES) break;
      chunk += l;
      n++;
    }
    await cp.svc.store.logs.append(logIdFor(id, 1, 1), seq++, chunk);
    bytes += chunk.length;
  }
  await cp.svc.store.jobs.finish(id, 'bench', { status: 'passed' });
  const base = `/github/${repo}/commit/${sha}/variant/(analysis)`;
  (globalThis as { gc?: () => void }).gc?.();
  const ready: Ready = {
    url: cp.url,
    raw: `${base}/raw`,
    page: base,
    ndjson: `/api${base}/log`,
    pid: process.pid,
    logBytes: bytes,
    seedSeconds: round((performance.now() - t0) / 1000, 1),
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  // Serve until the parent closes stdin; "gc" collects garbage, so each stream starts from idle.
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (l) => {
    if (l === 'gc') {
      (globalThis as { gc?: () => void }).gc?.();
      process.stdout.write('gc done\n');
    }
  });
  lines.on('close', () => void cp.stop().then(() => process.exit(0)));
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb * 1024;
}

/** Samples a process's RSS every few milliseconds until stopped; returns the peak. */
function sampler(pid: number) {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 5);
  return {
    stop(): number {
      clearInterval(timer);
      return Math.max(peak, rssBytes(pid));
    },
  };
}

async function download(url: string): Promise<{ bytes: number; seconds: number; firstByteMs: number }> {
  const t0 = performance.now();
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let bytes = 0;
  let firstByteMs = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    if (bytes === 0) firstByteMs = performance.now() - t0;
    bytes += r.value.length;
  }
  return { bytes, seconds: (performance.now() - t0) / 1000, firstByteMs };
}

const STACK = { tablePrefix: 'cid-bench-log', queuePrefix: 'cid-bench-log', region: 'us-east-1' };

export async function run(opts: { mb?: number } = {}) {
  const mb = opts.mb ?? 50;
  const stack = await startLocalStack(STACK);
  const storeEnv = {
    DYNAMODB_ENDPOINT: stack.dynamoEndpoint,
    SQS_ENDPOINT: stack.sqsEndpoint,
    CID_TABLE_PREFIX: STACK.tablePrefix,
    CID_QUEUE_PREFIX: STACK.queuePrefix,
  };
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, CID_BENCH_ROLE: 'server', CID_BENCH_MB: String(mb), CID_BENCH_STORE: JSON.stringify(storeEnv) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const out = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const nextLine = () =>
      new Promise<string>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
        out.once('line', resolve);
      });
    const ready = JSON.parse(await nextLine()) as Ready;
    /** Idle: the server holds the log in its (in-memory) store, has collected its garbage and does nothing. */
    const idleRss = async () => {
      child.stdin?.write('gc\n');
      await nextLine();
      await new Promise((r) => setTimeout(r, 300));
      const idle = sampler(ready.pid);
      await new Promise((r) => setTimeout(r, 500));
      return idle.stop();
    };
    let firstIdle = 0;

    const measure = async (path: string) => {
      const idle = await idleRss();
      firstIdle ||= idle;
      const s = sampler(ready.pid);
      const d = await download(ready.url + path);
      const peak = s.stop();
      return {
        mbSent: round(d.bytes / MB, 1),
        seconds: round(d.seconds, 2),
        mbPerSecond: round(d.bytes / MB / d.seconds, 1),
        logMbPerSecond: round(ready.logBytes / MB / d.seconds, 1),
        firstByteMs: round(d.firstByteMs, 1),
        idleRssMb: round(idle / MB, 1),
        peakRssGrowthMb: round((peak - idle) / MB, 1),
      };
    };
    const raw = await measure(ready.raw);
    const page = await measure(ready.page);
    const ndjson = await measure(ready.ndjson);
    const worst = Math.max(raw.peakRssGrowthMb, page.peakRssGrowthMb, ndjson.peakRssGrowthMb);
    return {
      name: `web log stream, ${mb} MB log`,
      logMb: round(ready.logBytes / MB, 1),
      seedSeconds: ready.seedSeconds,
      serverIdleRssMb: round(firstIdle / MB, 1),
      raw,
      htmlPage: page,
      ndjson,
      goalRssGrowthMb: 50,
      withinGoal: worst < 50,
    };
  } finally {
    child.stdin?.end();
    await new Promise((r) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        r(undefined);
      }, 5000);
      child.once('exit', () => {
        clearTimeout(t);
        r(undefined);
      });
    });
    await stack.stop();
  }
}

if (process.env.CID_BENCH_ROLE === 'server') {
  await serve(Number(process.env.CID_BENCH_MB ?? '50'), JSON.parse(process.env.CID_BENCH_STORE ?? '{}') as Record<string, string>);
} else if (isMain(import.meta.url)) {
  const figures = await run();
  console.log(JSON.stringify(figures, null, 2));
  if (!figures.withinGoal) process.exitCode = 1;
}
