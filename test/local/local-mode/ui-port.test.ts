import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { chooseUiPort, isPortFree } from '../../../local/local-mode/ui-port.ts';
import { ConflictError } from '../../../lib/errors/index.ts';

const listen = (): Promise<{ server: Server; port: number }> =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });

test('an asked port that is taken is refused in one sentence; a free one is used as it is', async () => {
  const { server, port } = await listen();
  try {
    assert.equal(await isPortFree('127.0.0.1', port), false);
    await assert.rejects(chooseUiPort('127.0.0.1', port), (e: unknown) => e instanceof ConflictError && e.message === `port ${port} is in use: choose another with --port`);
  } finally {
    await new Promise((r) => server.close(r));
  }
  assert.equal(await isPortFree('127.0.0.1', port), true);
  assert.deepEqual(await chooseUiPort('127.0.0.1', port), { port });
  assert.deepEqual(await chooseUiPort('127.0.0.1', 0), { port: 0 });
});

test('without --port: 8080 when free, else any free port with a note', async () => {
  const chosen = await chooseUiPort('127.0.0.1', undefined);
  if (await isPortFree('127.0.0.1', 8080)) assert.deepEqual(chosen, { port: 8080 });
  else assert.deepEqual(chosen, { port: 0, note: 'port 8080 is in use (npm start?), so the UI is on another port' });
});
