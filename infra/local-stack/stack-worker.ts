// Runs the embedded backend (dynalite + fauxqs) on a worker thread, so that on a small machine the
// emulators and the control plane each get a core instead of sharing one event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { startLocalStack, type LocalStackOptions } from './start-local-stack.ts';

const stack = await startLocalStack(workerData as LocalStackOptions);
parentPort?.postMessage({ type: 'ready', dynamoEndpoint: stack.dynamoEndpoint, sqsEndpoint: stack.sqsEndpoint, region: stack.region });
parentPort?.on('message', (m: { type: string }) => {
  if (m.type === 'stop') {
    void stack.stop().then(() => {
      parentPort?.postMessage({ type: 'stopped' });
      parentPort?.close();
    });
  }
});
