// Queue → container start on an idle runner: from the moment a job is queued to the moment its
// first container starts (Docker's own 'start' event), p50 and p99. Baseline in the same run: from
// asking the Docker engine directly (create + start) to the same event. The runner claims through
// the runner API (register, claim, heartbeat, log, finish over HTTP).
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { startTestControlPlane } from '../test/support/control-plane.ts';
import { busyboxImage } from '../test/support/images.ts';
import { RUNNER_CP_ENV, gitRepo, submitJobs, testRunner, waitJob } from '../test/support/runner-harness.ts';
import { percentile, round, isMain } from './support/load.ts';

/** Resolves with the epoch-ms time of the next container 'start' event. */
async function nextStart(docker: Docker): Promise<{ at: Promise<number>; close: () => void }> {
  const stream = (await docker.getEvents({ filters: { type: ['container'], event: ['start'] } })) as NodeJS.ReadableStream & { destroy(): void };
  const at = new Promise<number>((resolve) => {
    stream.once('data', (buf: Buffer) => resolve(Number((JSON.parse(buf.toString().split('\n')[0] ?? '{}') as { timeNano: number }).timeNano) / 1e6));
  });
  return { at, close: () => stream.destroy() };
}

export async function run(opts: { jobs?: number } = {}) {
  const n = opts.jobs ?? 30;
  const docker = new Docker();
  const image = await busyboxImage('amd64', docker);
  const cp = await startTestControlPlane(RUNNER_CP_ENV);
  const runner = await testRunner(cp, 'linux-x86_64', { env: { CID_RUNNER_POLL_SECONDS: '20' } });
  const src = gitRepo({ 'a.txt': 'a' });
  const viaCid: number[] = [];
  const direct: number[] = [];
  try {
    await new Promise((r) => setTimeout(r, 1500)); // the runner is idle, long-polling
    for (let i = 0; i < n; i++) {
      const watch = await nextStart(docker);
      const t0 = Date.now();
      const [job] = await submitJobs(cp, {
        repo: 'bench/start',
        sha: src.sha,
        source: { kind: 'local', path: src.path, sha: src.sha },
        jobs: [
          {
            name: `start-${i}-${randomBytes(4).toString('hex')}`,
            kind: 'build',
            pool: 'linux-x86_64',
            priority: 'urgent',
            experimental: false,
            spec: { from: image, steps: [{ op: 'run', shell: `echo ${randomBytes(8).toString('hex')}`, network: false, cache: [] }] },
          },
        ],
      });
      viaCid.push((await watch.at) - t0);
      watch.close();
      await waitJob(cp, job!.id, (j) => j.status === 'passed');
      await new Promise((r) => setTimeout(r, 300));

      const w2 = await nextStart(docker);
      const t1 = Date.now();
      const c = await docker.createContainer({ Image: image, Cmd: ['true'], HostConfig: { NetworkMode: 'none', AutoRemove: false } });
      await c.start();
      direct.push((await w2.at) - t1);
      w2.close();
      await c.wait();
      await c.remove({ force: true });
    }
  } finally {
    await runner.stop(0);
    await cp.stop();
  }
  return {
    jobs: n,
    queueToStartP50Ms: round(percentile(viaCid, 50)),
    queueToStartP99Ms: round(percentile(viaCid, 99)),
    baselineCreateStartP50Ms: round(percentile(direct, 50)),
    baselineCreateStartP99Ms: round(percentile(direct, 99)),
  };
}

if (isMain(import.meta.url)) console.log(JSON.stringify(await run(), null, 2));
