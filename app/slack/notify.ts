import type { Job, Pipeline, PipelineStatus } from '../../lib/contract/index.ts';
import { parseJobName } from '../../lib/opam-repo/index.ts';
import { isOpamPr } from '../opam-repo-pr/index.ts';
import { linterStatus, opamCiStatus, phaseOf, viewOf } from '../opam-repo-pr/report/index.ts';
import type { Services } from '../services.ts';
import { reportOnce } from '../reporters/report-once.ts';
import type { PipelineView, Reporter } from '../reporters/reporter.ts';
import { branchFailed, branchRecovered, opamPrFinished } from './messages.ts';
import type { MessageContext, SlackPayload } from './messages.ts';
import type { SlackMessage } from './deliver.ts';

// When a pipeline settles, decide whether Slack hears of it (repositories opt in): the default
// branch starting to fail or passing again, and an opam-repository PR finishing. Each message is
// decided once per pipeline (reportOnce: a record in the reports table) and queued; delivery is
// deliver.ts's.

const FINAL: ReadonlySet<PipelineStatus> = new Set(['passed', 'failed', 'errored']);
const isFailure = (s: PipelineStatus | undefined): boolean => s === 'failed' || s === 'errored';

async function enqueue(svc: Services, key: string, msg: Omit<SlackMessage, 'type' | 'attempt'>): Promise<void> {
  // Queued once per key, whatever the pipeline does next: a message is never sent twice.
  const send = async (): Promise<number> => {
    await svc.queues.sendResult({ type: 'slack', attempt: 0, ...msg });
    return 0;
  };
  await reportOnce(svc, { key, pipelineId: msg.pipelineId, content: 'queued', create: send, update: async () => undefined });
}

/** The status the branch had before this pipeline: the newest settled pipeline created earlier. */
async function previousStatus(svc: Services, p: Pipeline, ref: string): Promise<PipelineStatus | undefined> {
  const { items } = await svc.store.pipelines.listByRef(p.repo, ref, { limit: 20 });
  return items.find((q) => q.id !== p.id && q.createdAt < p.createdAt && FINAL.has(q.status))?.status;
}

async function branchEvent(svc: Services, p: Pipeline, branch: string, jobs: readonly Job[], ctx: MessageContext): Promise<void> {
  const before = await previousStatus(svc, p, `refs/heads/${branch}`);
  let payload: SlackPayload | undefined;
  let event: SlackMessage['event'] | undefined;
  if (isFailure(p.status) && !isFailure(before)) [event, payload] = ['branch-failed', branchFailed(p, branch, jobs, ctx)];
  else if (p.status === 'passed' && isFailure(before)) [event, payload] = ['branch-recovered', branchRecovered(p, branch, jobs, ctx)];
  if (event && payload) await enqueue(svc, `slack#${p.id}#branch`, { pipelineId: p.id, event, payload });
}

async function opamPrEvent(svc: Services, p: Pipeline, jobs: readonly Job[], ctx: MessageContext): Promise<void> {
  const v = viewOf(p, jobs);
  if (!isOpamPr(svc, v)) return;
  const phase = phaseOf(v);
  if (phase !== 'done' && phase !== 'analysis-failed') return;
  const prRef = p.refs.find((r) => /^pull\/\d+$/.test(r));
  if (!prRef) return;
  const verdict = opamCiStatus(v);
  const packages = (v.analysis?.packages ?? []).map((c) => c.pkg);
  const builds = v.jobs.filter((j) => parseJobName(j.name) !== undefined);
  const payload = opamPrFinished(
    p,
    { pr: Number(prRef.slice('pull/'.length)), verdict: verdict.description, passed: verdict.state === 'success', lint: linterStatus(v).description, packages },
    builds,
    ctx,
  );
  await enqueue(svc, `slack#${p.id}#opam-pr`, { pipelineId: p.id, event: 'opam-pr-finished', payload });
}

/** Queues the Slack messages a settled pipeline calls for. Never throws: Slack is not worth a retry of the results. */
export async function notifySlack(svc: Services, p: Pipeline, jobs: readonly Job[]): Promise<void> {
  if (!svc.config.slackWebhookUrl || !FINAL.has(p.status)) return;
  try {
    const repo = await svc.store.repositories.get(p.repo);
    if (repo?.slack !== true) return;
    const ctx: MessageContext = { publicUrl: svc.config.publicUrl, webUrl: svc.config.github?.webUrl ?? 'https://github.com' };
    if (p.refs.includes(`refs/heads/${repo.defaultBranch}`)) await branchEvent(svc, p, repo.defaultBranch, jobs, ctx);
    await opamPrEvent(svc, p, jobs, ctx);
  } catch (err) {
    svc.log.warn({ err, pipelineId: p.id }, 'Slack notification skipped');
  }
}

/** The Slack reporter: never fails a pipeline's report (Slack is not worth a retry of the results). */
export const slackReporter: Reporter = {
  name: 'slack',
  report: (svc: Services, { pipeline, jobs }: PipelineView) => notifySlack(svc, pipeline, jobs),
};
