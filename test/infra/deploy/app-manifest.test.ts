import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { HANDLERS } from '../../../app/webhooks/handlers/index.ts';

const manifest = parse(readFileSync(new URL('../../../app.yml', import.meta.url), 'utf8')) as {
  name: string;
  default_events: string[];
  default_permissions: Record<string, string>;
  public: boolean;
};
/** Delivered to every GitHub App whatever it subscribes to. */
const ALWAYS_DELIVERED = ['installation', 'installation_repositories'];

test('app.yml asks for the permissions cid uses, and no more', () => {
  assert.deepEqual(manifest.default_permissions, {
    checks: 'write',
    contents: 'read',
    pull_requests: 'write',
    statuses: 'write',
    issues: 'write',
    metadata: 'read',
  });
  assert.equal(manifest.public, false);
});

test('every event cid handles is subscribed to or always delivered; nothing else is subscribed', () => {
  for (const event of Object.keys(HANDLERS)) {
    assert.ok(manifest.default_events.includes(event) || ALWAYS_DELIVERED.includes(event), `${event} reaches cid`);
  }
  for (const event of manifest.default_events) assert.ok(event in HANDLERS, `${event} is handled`);
  assert.deepEqual([...manifest.default_events].sort(), ['check_run', 'check_suite', 'pull_request', 'push']);
});
