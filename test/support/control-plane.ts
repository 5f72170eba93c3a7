import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '../../app/config/index.ts';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../local/start-control-plane.ts';
import { createLogger } from '../../lib/log/index.ts';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_WEBHOOK_SECRET = 'test-webhook-secret';

let key: string | undefined;
/** An RSA key for App settings when a test needs GitHub configured but makes no GitHub call. */
export function throwawayPrivateKey(): string {
  key ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return key;
}

/**
 * A whole control plane on loopback: dynalite in memory, fauxqs, HTTP on an ephemeral port.
 * `env` overrides the environment it reads, as an operator would set it.
 */
export async function startTestControlPlane(env: Record<string, string> = {}, opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const config = loadConfig({
    CID_STAGE: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    CID_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ...env,
  });
  return startControlPlane(config, { inMemory: true, log: createLogger({ level: env.LOG_LEVEL ?? 'silent' }), ...opts });
}

/** Settings for a control plane whose webhooks work but which never reaches GitHub. */
export function webhookOnlyEnv(): Record<string, string> {
  return { APP_ID: '1', PRIVATE_KEY: throwawayPrivateKey(), WEBHOOK_SECRET: TEST_WEBHOOK_SECRET };
}

export async function until<T>(f: () => Promise<T | undefined | false>, opts: { timeoutMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'a condition'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
