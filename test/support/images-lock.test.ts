// The image-build lock is waited on by test processes that have nothing else to do meanwhile (a
// fresh machine: one test file builds cid-test/ocaml, the others wait). Their wait alone must
// keep node's event loop alive, or node ends the test with "Promise resolution is still pending".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { withLock } from './images.ts';

test('a process that only waits for a lock another process holds waits, then takes it', async () => {
  const name = `lock-wait-test-${randomUUID()}`;
  const images = pathToFileURL(new URL('./images.ts', import.meta.url).pathname).href;
  // The child does nothing but wait for the lock this process holds.
  const script = `
    const { withLock } = await import(${JSON.stringify(images)});
    await withLock(${JSON.stringify(name)}, async () => console.log('acquired'), { onWait: () => console.log('waiting') });
  `;
  let out = '';
  // The exit is returned wrapped: withLock awaits what its callback returns before releasing.
  const { exit } = await withLock(name, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // Released only once the child has seen it held (or has ended, which fails below).
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('waiting')) resolve();
      });
      void exit.then(() => resolve());
    });
    return { exit };
  });
  assert.equal(await exit, 0, out);
  assert.match(out, /waiting\nacquired\n/);
});
