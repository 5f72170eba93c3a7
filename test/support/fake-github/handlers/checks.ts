// Check runs: create, update (annotations accumulate, as on GitHub), get and list for a ref.
import { invalidRequest, notFound } from '../errors.ts';
import { paginate } from '../pagination.ts';
import { checkRun } from '../shapes.ts';
import type { FakeCheckRun, FakeCheckRunAnnotation } from '../state.ts';
import { callAuth } from './call-auth.ts';
import type { HandlerTable, RepoHandlerContext } from './types.ts';

interface CheckRunBody {
  name?: string;
  head_sha?: string;
  details_url?: string;
  external_id?: string;
  status?: FakeCheckRun['status'];
  conclusion?: string;
  started_at?: string;
  completed_at?: string;
  output?: {
    title?: string;
    summary?: string;
    text?: string;
    annotations?: FakeCheckRunAnnotation[];
    images?: unknown[];
  };
  actions?: unknown[];
}

/** Rules GitHub enforces beyond the schema. */
function checkSemantics(run: Pick<FakeCheckRun, 'status' | 'conclusion'>, body: CheckRunBody): void {
  if (run.status === 'completed' && run.conclusion === null) {
    throw invalidRequest('Invalid request.\n\nconclusion is required when status is completed.');
  }
  body.output?.annotations?.forEach((a, i) => {
    if ((a.start_column !== undefined || a.end_column !== undefined) && a.start_line !== a.end_line) {
      throw invalidRequest(
        `Invalid request.\n\noutput.annotations[${i}]: start_column and end_column are only allowed when start_line equals end_line.`,
      );
    }
  });
}

/** Applies a create or update body to a run (a fresh one for create). */
function apply(run: FakeCheckRun, body: CheckRunBody, nowIso: string): void {
  if (body.name !== undefined) run.name = body.name;
  if (body.details_url !== undefined) run.details_url = body.details_url;
  if (body.external_id !== undefined) run.external_id = body.external_id;
  if (body.started_at !== undefined) run.started_at = body.started_at;
  if (body.conclusion !== undefined) {
    // GitHub: providing a conclusion sets the status to completed.
    run.conclusion = body.conclusion;
    run.status = 'completed';
  } else if (body.status !== undefined) {
    run.status = body.status;
    if (body.status !== 'completed') {
      run.conclusion = null;
      run.completed_at = null;
    }
  }
  if (body.completed_at !== undefined) run.completed_at = body.completed_at;
  if (run.status === 'completed' && run.completed_at === null) run.completed_at = nowIso;
  if (body.output) {
    if (body.output.title !== undefined) run.output.title = body.output.title;
    if (body.output.summary !== undefined) run.output.summary = body.output.summary;
    if (body.output.text !== undefined) run.output.text = body.output.text;
    run.annotations.push(...(body.output.annotations ?? []));
    run.images.push(...(body.output.images ?? []));
  }
  if (body.actions !== undefined) run.actions = body.actions;
}

function findRun(ctx: RepoHandlerContext): FakeCheckRun {
  const id = Number(ctx.params.check_run_id);
  const run = ctx.world.state.checkRuns.find((r) => r.id === id && r.repo.toLowerCase() === ctx.repo.fullName.toLowerCase());
  if (!run) throw notFound();
  return run;
}

export const checkHandlers: HandlerTable = {
  'checks/create': {
    auth: 'repo',
    need: { permissions: ['checks'], level: 'write', appOnly: true },
    handle: (ctx) => {
      const body = ctx.body as CheckRunBody;
      const now = ctx.world.nowIso();
      const run: FakeCheckRun = {
        id: 0,
        repo: ctx.repo.fullName,
        name: body.name ?? '',
        head_sha: body.head_sha ?? '',
        status: 'queued',
        conclusion: null,
        details_url: null,
        external_id: null,
        started_at: now,
        completed_at: null,
        output: { title: null, summary: null, text: null },
        annotations: [],
        images: [],
        actions: [],
        calls: [],
      };
      apply(run, body, now);
      checkSemantics(run, body);
      run.id = ctx.world.nextId('checkRun');
      run.calls.push({ operationId: 'checks/create', auth: callAuth(ctx), body: body as Record<string, unknown> });
      ctx.world.state.checkRuns.push(run);
      return { status: 201, body: checkRun(ctx.shapes, run) };
    },
  },

  'checks/update': {
    auth: 'repo',
    need: { permissions: ['checks'], level: 'write', appOnly: true },
    handle: (ctx) => {
      const run = findRun(ctx);
      const body = ctx.body as CheckRunBody;
      // Validate on a copy so a rejected update leaves the run untouched.
      const next: FakeCheckRun = structuredClone(run);
      apply(next, body, ctx.world.nowIso());
      checkSemantics(next, body);
      next.calls.push({ operationId: 'checks/update', auth: callAuth(ctx), body: body as Record<string, unknown> });
      Object.assign(run, next);
      return { status: 200, body: checkRun(ctx.shapes, run) };
    },
  },

  'checks/get': {
    auth: 'repo',
    need: { permissions: ['checks'], level: 'read' },
    handle: (ctx) => ({ status: 200, body: checkRun(ctx.shapes, findRun(ctx)) }),
  },

  'checks/list-for-ref': {
    auth: 'repo',
    need: { permissions: ['checks'], level: 'read' },
    handle: (ctx) => {
      const ref = ctx.params.ref ?? '';
      const sha = ctx.world.resolveRef(ctx.repo, ref) ?? ref;
      const q = ctx.query;
      let runs = ctx.world.state.checkRuns.filter(
        (r) => r.repo.toLowerCase() === ctx.repo.fullName.toLowerCase() && r.head_sha === sha,
      );
      const name = q.get('check_name');
      if (name !== null) runs = runs.filter((r) => r.name === name);
      const status = q.get('status');
      if (status !== null) runs = runs.filter((r) => r.status === status);
      const appId = q.get('app_id');
      if (appId !== null && Number(appId) !== ctx.shapes.app.id) runs = [];
      // GitHub's default filter=latest keeps the most recent run of each name.
      if ((q.get('filter') ?? 'latest') === 'latest') {
        const latest = new Map<string, FakeCheckRun>();
        for (const r of runs) latest.set(r.name, r);
        runs = [...latest.values()];
      }
      runs = [...runs].sort((a, b) => b.id - a.id);
      const page = paginate(runs, ctx.url);
      return {
        status: 200,
        body: { total_count: runs.length, check_runs: page.items.map((r) => checkRun(ctx.shapes, r)) },
        headers: page.headers,
      };
    },
  },
};
