// Log append through the runner API: one runner streams a 50 MB log into the store (JobLog →
// POST /api/runner/log → the logs table), as a job's output does. MB/s from the first write to
// the last chunk stored, and the number of requests.
import { randomBytes } from 'node:crypto';
import { bootstrapToken } from '../app/runner-api/index.ts';
import { RunnerApiClient } from '../lib/runner-api/index.ts';
import { startTestControlPlane } from '../test/support/control-plane.ts';
import { RUNNER_CP_ENV, RUNNER_SECRET, gitRepo, plannedJob, submitJobs } from '../test/support/runner-harness.ts';
import { JobLog } from '../runner/logs/job-log.ts';
import { round, isMain } from './support/load.ts';

export async function run(opts: { megabytes?: number } = {}) {
  const mb = opts.megabytes ?? 50;
  const cp = await startTestControlPlane(RUNNER_CP_ENV);
  try {
    const src = gitRepo({ 'a.txt': 'a' });
    const [job] = await submitJobs(cp, {
      repo: 'bench/log',
      sha: src.sha,
      source: { kind: 'local', path: src.path, sha: src.sha },
      jobs: [plannedJob('log-append', 'linux-x86_64', 'busybox', ['true'])],
    });
    // Made before the claim, whose lease lives on heartbeats. Build output: 100-byte lines, in 1 MB writes (Docker hands the runner output in such pieces).
    const line = (i: number) => `${String(i).padStart(8, '0')} ${randomBytes(45).toString('hex')}\n`.slice(0, 100);
    const block = (k: number) => Array.from({ length: 10_486 }, (_, i) => line(k * 10_486 + i)).join('');
    const blocks = Array.from({ length: mb }, (_, k) => block(k));
    const bytes = blocks.reduce((n, b) => n + Buffer.byteLength(b), 0);
    const api = new RunnerApiClient({ apiUrl: cp.url, bootstrapToken: bootstrapToken(RUNNER_SECRET, 'linux-x86_64') });
    await api.register({ runnerId: 'bench-log', pool: 'linux-x86_64', host: 'bench', version: 'bench', concurrency: 1 });
    const claim = await api.claim({ jobId: job!.id, generation: job!.generation });
    if (claim.result !== 'claimed') throw new Error(`claim answered ${claim.result}`);
    const lease = claim.lease;
    const log = new JobLog((chunks) => api.log({ lease, chunks }), 2 * bytes);
    // The lease lives on heartbeats, as in a runner (they are counted apart from the log requests).
    let beats = 0;
    const beat = setInterval(() => void api.heartbeat({ lease }).then(() => beats++), 500);
    const t0 = performance.now();
    for (const b of blocks) log.write(b);
    await log.close();
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(beat);
    if (log.error) throw log.error;
    let stored = 0;
    for await (const c of cp.svc.store.logs.read(`${job!.id}#${job!.generation}.${lease.attempt}`)) stored += Buffer.byteLength(c.text);
    if (stored !== bytes) throw new Error(`stored ${stored} bytes of ${bytes}`);
    // Baseline in the same run: the same chunks written straight into the store, 16 at a time
    // (what one log request does), without HTTP, credentials, leases or validation.
    const direct: { seq: number; text: string }[] = [];
    for await (const c of cp.svc.store.logs.read(`${job!.id}#${job!.generation}.${lease.attempt}`)) direct.push({ seq: c.seq, text: c.text });
    const t1 = performance.now();
    for (let i = 0; i < direct.length; i += 16) {
      await Promise.all(direct.slice(i, i + 16).map((c) => cp.svc.store.logs.append(`bench-direct#1.1`, c.seq, c.text)));
    }
    const directSeconds = (performance.now() - t1) / 1000;
    return {
      baselineStoreMegabytesPerSecond: round(bytes / 1e6 / directSeconds),
      megabytes: round(bytes / 1e6),
      seconds: round(seconds),
      megabytesPerSecond: round(bytes / 1e6 / seconds),
      logRequests: log.requests,
      heartbeats: beats,
      chunks: Math.ceil(stored / (64 * 1024)),
    };
  } finally {
    await cp.stop();
  }
}

if (isMain(import.meta.url)) console.log(JSON.stringify(await run(), null, 2));
