import { Worker } from 'node:worker_threads';
import type { LocalStack, LocalStackOptions } from './start-local-stack.ts';

/** startLocalStack on its own thread (same process); the returned stack behaves the same. */
export async function startLocalStackThread(opts: LocalStackOptions): Promise<LocalStack> {
  const worker = new Worker(new URL('./stack-worker.mjs', import.meta.url), { workerData: opts });
  const ready = await new Promise<{ dynamoEndpoint: string; sqsEndpoint: string; region: string }>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`local stack thread exited with code ${code} before it was ready`)));
    worker.once('message', (m: { type: string; dynamoEndpoint: string; sqsEndpoint: string; region: string }) => {
      if (m.type === 'ready') resolve(m);
    });
  });
  worker.removeAllListeners('exit');
  worker.removeAllListeners('error');
  let stopped: Promise<void> | undefined;
  return {
    ...ready,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.once('message', () => void worker.terminate());
        worker.postMessage({ type: 'stop' });
      });
      return stopped;
    },
  };
}
