import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { RESULTS_QUEUE_KEY } from '../../lib/resources/index.ts';
import type { Services } from '../services.ts';

export type ComponentStatus = Record<string, { ok: boolean; detail?: string }>;

/** Extra components reported by the process that hosts the app (e.g. the local runner). */
export type HealthProbe = () => Promise<ComponentStatus>;

export async function health(svc: Services, extra?: HealthProbe): Promise<{ ok: boolean; components: ComponentStatus }> {
  const components: ComponentStatus = {};
  const timed = async (name: string, f: () => Promise<unknown>) => {
    try {
      await Promise.race([f(), new Promise((_, rej) => setTimeout(() => rej(new Error('timed out after 2 s')), 2000))]);
      components[name] = { ok: true };
    } catch (err) {
      components[name] = { ok: false, detail: (err as Error).message };
    }
  };
  await Promise.all([
    timed('dynamodb', () => svc.store.db.send(new ListTablesCommand({ Limit: 1 }))),
    timed('sqs', () => svc.queues.depth(svc.queues.url(RESULTS_QUEUE_KEY))),
  ]);
  components.github = svc.config.github
    ? { ok: true, detail: `App ${svc.config.github.appId} at ${svc.config.github.baseUrl}` }
    : { ok: true, detail: `not configured (set ${svc.config.githubMissing.join(', ')})` };
  if (extra) Object.assign(components, await extra());
  const ok = Object.entries(components).every(([, c]) => c.ok);
  return { ok, components };
}
