// Slack messages (Block Kit, with a plain-text fallback) for the three events cid announces.
import { repoUrlPath, type Job, type Pipeline } from '../../lib/contract/index.ts';
import { commitUrl, jobUrl } from '../web/paths.ts';

export interface SlackPayload {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

export interface MessageContext {
  publicUrl: string;
  /** GitHub's web base, for links to repositories and PRs. */
  webUrl: string;
}

/** Slack's mrkdwn needs &, < and > escaped in text (links are written by us). */
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const slackLink = (url: string, text: string): string => `<${url}|${esc(text)}>`;

const section = (text: string): Record<string, unknown> => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string): Record<string, unknown> => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
const button = (text: string, url: string, style?: 'primary' | 'danger'): Record<string, unknown> => ({
  type: 'button',
  text: { type: 'plain_text', text },
  url,
  ...(style ? { style } : {}),
});

function failedLines(jobs: readonly Job[], publicUrl: string, max = 5): string[] {
  const failed = jobs.filter((j) => (j.status === 'failed' || j.status === 'errored') && !j.experimental);
  const lines = failed.slice(0, max).map((j) => `• ${slackLink(jobUrl(publicUrl, j), j.name)}${j.reason ? ` — ${esc(j.reason.split('\n')[0] ?? '').slice(0, 150)}` : ''}`);
  if (failed.length > max) lines.push(`• … and ${failed.length - max} more`);
  return lines;
}

function counts(jobs: readonly Job[]): string {
  const passed = jobs.filter((j) => j.status === 'passed').length;
  const failed = jobs.filter((j) => (j.status === 'failed' || j.status === 'errored') && !j.experimental).length;
  return `${passed} passed, ${failed} failed, ${jobs.length} jobs`;
}

/** The default branch went from passing (or nothing) to failing. */
export function branchFailed(p: Pipeline, branch: string, jobs: readonly Job[], ctx: MessageContext): SlackPayload {
  const commit = commitUrl(ctx.publicUrl, p.repo, p.sha);
  const head = `❌ ${slackLink(`${ctx.webUrl}/${repoUrlPath(p.repo)}`, p.repo)} \`${esc(branch)}\` is failing at ${slackLink(commit, p.sha.slice(0, 7))}`;
  const why = p.error ? [`*Error:* ${esc(p.error.split('\n')[0] ?? '')}`] : failedLines(jobs, ctx.publicUrl);
  return {
    text: `❌ ${p.repo} ${branch} is failing at ${p.sha.slice(0, 7)}: ${commit}`,
    blocks: [section(head), ...(why.length > 0 ? [section(why.join('\n'))] : []), context(counts(jobs)), { type: 'actions', elements: [button('Open in cid', commit, 'danger')] }],
  };
}

/** The default branch passes again after failing. */
export function branchRecovered(p: Pipeline, branch: string, jobs: readonly Job[], ctx: MessageContext): SlackPayload {
  const commit = commitUrl(ctx.publicUrl, p.repo, p.sha);
  return {
    text: `✅ ${p.repo} ${branch} is passing again at ${p.sha.slice(0, 7)}: ${commit}`,
    blocks: [
      section(`✅ ${slackLink(`${ctx.webUrl}/${repoUrlPath(p.repo)}`, p.repo)} \`${esc(branch)}\` is passing again at ${slackLink(commit, p.sha.slice(0, 7))}`),
      context(counts(jobs)),
      { type: 'actions', elements: [button('Open in cid', commit, 'primary')] },
    ],
  };
}

export interface OpamPrSummary {
  pr: number;
  /** The opam-ci status, e.g. "Passed - 12 jobs passed". */
  verdict: string;
  passed: boolean;
  /** "Passed" or "Failed - 2 errors". */
  lint: string;
  packages: string[];
}

/** An opam-repository PR's pipeline finished. */
export function opamPrFinished(p: Pipeline, s: OpamPrSummary, jobs: readonly Job[], ctx: MessageContext): SlackPayload {
  const commit = commitUrl(ctx.publicUrl, p.repo, p.sha);
  const prUrl = `${ctx.webUrl}/${repoUrlPath(p.repo)}/pull/${s.pr}`;
  const icon = s.passed ? '✅' : '❌';
  const pkgs = s.packages.length === 0 ? 'no package changed' : s.packages.slice(0, 10).join(', ') + (s.packages.length > 10 ? `, … (${s.packages.length})` : '');
  return {
    text: `${icon} ${p.repo}#${s.pr}: ${s.verdict} (lint: ${s.lint}) ${commit}`,
    blocks: [
      section(`${icon} ${slackLink(prUrl, `${p.repo}#${s.pr}`)}: *${esc(s.verdict)}*`),
      section(`*Packages:* ${esc(pkgs)}\n*Lint:* ${esc(s.lint)}`),
      ...(s.passed ? [] : [section(failedLines(jobs, ctx.publicUrl).join('\n') || 'See the results.')]),
      { type: 'actions', elements: [button('Results', commit, s.passed ? 'primary' : 'danger'), button('Pull request', prUrl)] },
    ],
  };
}
