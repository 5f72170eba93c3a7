import { startFakeGitHub, type FakeGitHub } from './fake-github/index.ts';
import { FastProbotOctokit } from './fake-github/fast-octokit.ts';
import { startTestControlPlane, TEST_WEBHOOK_SECRET } from './control-plane.ts';
import { signedDelivery } from './webhooks.ts';
import type { ControlPlane, ControlPlaneOptions } from '../../local/start-control-plane.ts';

export interface Harness {
  fake: FakeGitHub;
  cp: ControlPlane;
  /**
   * Sends a signed delivery; when it is queued, waits until the events consumer has acted on it
   * and returns what it did as `result`.
   */
  deliver(event: string, payload: unknown, opts?: { deliveryId?: string }): Promise<{ status: number; json: Record<string, any>; result?: Record<string, any> }>;
  stop(): Promise<void>;
}

/** A control plane configured as a GitHub App against the fake GitHub (through GHE_HOST). */
export async function startHarness(env: Record<string, string> = {}, opts: ControlPlaneOptions = {}): Promise<Harness> {
  const fake = await startFakeGitHub();
  const host = new URL(fake.url).host;
  const cp = await startTestControlPlane(
    {
      APP_ID: String(fake.app.appId),
      PRIVATE_KEY: fake.app.privateKeyPem,
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      GHE_HOST: host,
      GHE_PROTOCOL: 'http',
      ...env,
    },
    { Octokit: FastProbotOctokit, ...opts },
  );
  return {
    fake,
    cp,
    async deliver(event, payload, o = {}) {
      const d = await signedDelivery(TEST_WEBHOOK_SECRET, event, payload, o);
      const consumed = new Promise<Record<string, any>>((resolve, reject) => {
        const timer = setTimeout(() => {
          cp.processed.off('delivery', listener);
          reject(new Error(`delivery ${d.id} (${event}) was not processed within 15 s`));
        }, 15_000);
        const listener = (id: string, result: { body: Record<string, any> }) => {
          if (id !== d.id) return;
          clearTimeout(timer);
          cp.processed.off('delivery', listener);
          resolve(result.body);
        };
        cp.processed.on('delivery', listener);
      });
      consumed.catch(() => undefined);
      const res = await fetch(`${cp.url}/api/github/webhooks`, { method: 'POST', headers: d.headers, body: d.body });
      const text = await res.text();
      let json: Record<string, any>;
      try {
        json = JSON.parse(text) as Record<string, any>;
      } catch {
        json = { raw: text };
      }
      if (json.action !== 'queued') return { status: res.status, json };
      return { status: res.status, json, result: await consumed };
    },
    async stop() {
      await cp.stop();
      await fake.close();
    },
  };
}
