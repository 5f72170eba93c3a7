// `cid runners [list|revoke ID|bootstrap-token POOL]`: the runners' admin API, with CID_ADMIN_TOKEN
// as the token (--token or CID_TOKEN).
import type { Command } from 'commander';
import { z } from 'zod';
import { PoolSchema, RunnerIdSchema } from '../lib/contract/index.ts';
import { BadRequestError } from '../lib/errors/index.ts';
import { ApiClient, segment } from './api-client.ts';
import type { CliContext, SubcommandRegistrar } from './cli-context.ts';
import { EXIT } from './exit-codes.ts';
import { table } from './output.ts';

const RunnersAnswer = z.object({
  runners: z.array(
    z.object({
      id: z.string(),
      pool: z.string(),
      host: z.string(),
      version: z.string(),
      registeredAt: z.string(),
      lastSeenAt: z.string(),
      revoked: z.boolean(),
      jobsHeld: z.number(),
    }),
  ),
});
const RevokeAnswer = z.object({ id: z.string(), revokedAt: z.string(), requeued: z.array(z.string()) });
const BootstrapAnswer = z.object({ pool: z.string(), token: z.string() });

interface Globals {
  api?: string;
  token?: string;
  json?: boolean;
}

function adminClient(ctx: CliContext, o: Globals): ApiClient {
  return new ApiClient(o.api ?? ctx.io.env.CID_API_URL ?? 'http://localhost:8080', (o.token ?? ctx.io.env.CID_TOKEN) || undefined, '/api/admin/runners');
}

async function run(ctx: CliContext, action: string | undefined, arg: string | undefined, o: Globals): Promise<number> {
  const api = adminClient(ctx, o);
  const print = (a: unknown, text: () => string) => ctx.io.out(o.json ? JSON.stringify(a, null, 2) : text());
  switch (action ?? 'list') {
    case 'list': {
      const a = await api.get('', RunnersAnswer);
      print(a, () =>
        a.runners.length === 0
          ? 'no runner has registered'
          : table([
              ['RUNNER', 'POOL', 'HOST', 'VERSION', 'LAST SEEN', 'JOBS', ''],
              ...a.runners.map((r) => [r.id, r.pool, r.host, r.version, r.lastSeenAt, String(r.jobsHeld), r.revoked ? 'revoked' : '']),
            ]),
      );
      return EXIT.passed;
    }
    case 'revoke': {
      const id = RunnerIdSchema.safeParse(arg);
      if (!id.success) throw new BadRequestError('cid runners revoke <runner id>');
      const a = await api.post(`/${segment(id.data)}/revoke`, RevokeAnswer);
      print(a, () => `runner ${a.id} revoked at ${a.revokedAt}; ${a.requeued.length} job${a.requeued.length === 1 ? '' : 's'} queued again`);
      return EXIT.passed;
    }
    case 'bootstrap-token': {
      const pool = PoolSchema.safeParse(arg);
      if (!pool.success) throw new BadRequestError(`cid runners bootstrap-token <pool>: one of ${PoolSchema.options.join(', ')}`);
      const a = await api.get(`/bootstrap-token/${pool.data}`, BootstrapAnswer);
      print(a, () => a.token);
      return EXIT.passed;
    }
    default:
      throw new BadRequestError(`unknown action ${JSON.stringify(action)}: list, revoke <id> or bootstrap-token <pool>`);
  }
}

export const registerRunnersCommand: SubcommandRegistrar = (program: Command, ctx: CliContext) => {
  program
    .command('runners [action] [arg]')
    .description('runners (admin token): list, revoke <id>, bootstrap-token <pool>')
    .action(async (action: string | undefined, arg: string | undefined, _opts: unknown, cmd: Command) => {
      ctx.exitCode = await run(ctx, action, arg, cmd.optsWithGlobals<Globals>());
    });
};
