import type Docker from 'dockerode';
import { DockerStreamDemuxer } from './demux.ts';

export interface RunOutcome {
  exitCode: number;
  oomKilled: boolean;
  /** The signal fired and the container was killed. */
  aborted: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/**
 * Starts a created container and streams its output until it exits. Output is attached before
 * the start so none is lost. When `signal` fires the container is killed outright (SIGKILL, no
 * grace period): a cancelled build has nothing to save.
 */
export async function runToExit(
  container: Docker.Container,
  opts: { signal: AbortSignal; onOutput: (text: string, stream: 'stdout' | 'stderr') => void },
): Promise<RunOutcome> {
  const stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream & {
    destroy?: () => void;
  };
  const demux = new DockerStreamDemuxer(opts.onOutput);
  const ended = new Promise<void>((resolve) => {
    stream.on('data', (chunk: Buffer) => demux.push(chunk));
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  let killed = false;
  const kill = (): void => {
    killed = true;
    container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
  };
  opts.signal.addEventListener('abort', kill, { once: true });
  try {
    if (opts.signal.aborted) return { exitCode: -1, oomKilled: false, aborted: true };
    await container.start();
    // The abort may have come while starting, when there was nothing to kill yet.
    if (opts.signal.aborted) kill();
    const waited = (await container.wait()) as { StatusCode: number };
    // Let the output the process wrote before exiting drain, without hanging on a stuck stream.
    await Promise.race([ended, sleep(killed ? 200 : 2000)]);
    demux.end();
    // Why it failed matters only when it failed.
    const oomKilled = waited.StatusCode !== 0 && (await container.inspect()).State.OOMKilled;
    return { exitCode: waited.StatusCode, oomKilled, aborted: killed };
  } finally {
    opts.signal.removeEventListener('abort', kill);
    stream.destroy?.();
  }
}
