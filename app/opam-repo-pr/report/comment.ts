// The one status comment on an opam-repository PR: what changed, a table of releases ×
// platforms linking to each log, the revdeps, the lint messages in full and, for the first
// failure, how to reproduce it. Rewritten whole on every edit; found again by its marker.
import type { ChangeKind, Job } from '../../../lib/contract/index.ts';
import { commitUrl, jobUrl } from '../../web/paths.ts';
import { parseJobName } from '../../../lib/opam-repo/matrix.ts';
import type { ParsedJobName } from '../../../lib/opam-repo/matrix.ts';
import { cellOf, countJobs, phaseOf } from './summary.ts';
import type { Cell, OpamPipelineView } from './summary.ts';

export const COMMENT_MARKER = '<!-- cid:opam-repo-ci -->';
/** GitHub refuses comments over 65,536 characters; stay clear of it. */
export const MAX_COMMENT_CHARS = 60_000;

export interface CommentInput {
  view: OpamPipelineView;
  publicUrl: string;
  /** Shell commands that rebuild a job locally (the web UI's "To reproduce" block). */
  reproduce?: (job: Job) => string | undefined;
}

const CHANGE_TEXT: Record<ChangeKind, string> = {
  'new-package': 'new package',
  'new-release': 'new release',
  'significantly-changed': 'changed',
  'insignificantly-changed': 'changed insignificantly (not built)',
  unavailable: 'unavailable (not built)',
  deleted: 'deleted',
};

const ICON: Record<Cell, string> = { passed: '✅', failed: '❌', accepted: '❌ accepted', pending: '⏳', skipped: 'skipped' };
const GROUP_ORDER = { compilers: 0, distributions: 1, extras: 2 } as const;

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
const link = (text: string, url: string): string => `[${text}](${url})`;

interface Named {
  job: Job;
  n: ParsedJobName;
}

function named(jobs: readonly Job[]): Named[] {
  return jobs.flatMap((job) => {
    const n = parseJobName(job.name);
    return n ? [{ job, n }] : [];
  });
}

function verdict(v: OpamPipelineView): string {
  switch (phaseOf(v)) {
    case 'analysing':
      return '⏳ analysing';
    case 'analysis-failed':
      return '❌ failed';
    case 'running':
      return '⏳ running';
    case 'done':
      return countJobs(v.jobs).failed > 0 ? '❌ failed' : '✅ passed';
  }
}

interface Limits {
  maxRows: number;
  maxFailures: number;
  reproduce: boolean;
}

function buildsTable(jobs: Named[], publicUrl: string, limits: Limits): string[] {
  const own = jobs.filter((x) => x.n.type !== 'revdep');
  if (own.length === 0) return [];
  const pkgs = [...new Set(own.map((x) => x.n.pkg))];
  const rowKey = (x: Named): string => (x.n.type === 'build' ? `${x.n.group},${x.n.label}` : x.n.type);
  const rows = [...new Map(own.map((x) => [rowKey(x), x.n])).entries()].sort(([ka, a], [kb, b]) => {
    const rank = (key: string, n: ParsedJobName) => (key === 'tests' ? 10 : key === 'lower-bounds' ? 11 : GROUP_ORDER[n.group]);
    return rank(ka, a) - rank(kb, b) || (ka < kb ? -1 : ka > kb ? 1 : 0);
  });
  const cells = new Map(own.map((x) => [`${rowKey(x)}\0${x.n.pkg}`, x]));
  const out: string[] = ['### Builds', ''];
  // At most six releases per table, so it stays readable.
  for (let i = 0; i < pkgs.length; i += 6) {
    const cols = pkgs.slice(i, i + 6);
    out.push(`| platform | ${cols.join(' | ')} |`, `| --- |${cols.map(() => ' :-: |').join('')}`);
    for (const [key] of rows.slice(0, limits.maxRows)) {
      const line = cols.map((pkg) => {
        const x = cells.get(`${key}\0${pkg}`);
        if (!x) return '';
        const icon = ICON[cellOf(x.job)];
        // Tests and lower bounds run on one platform each: say which.
        const where = x.n.type === 'build' ? '' : ` ${x.n.group === 'compilers' ? x.n.label : `${x.n.group},${x.n.label}`}`;
        return link(`${icon}${where}`, jobUrl(publicUrl, x.job));
      });
      out.push(`| ${key} | ${line.join(' | ')} |`);
    }
    if (rows.length > limits.maxRows) out.push(`| … ${rows.length - limits.maxRows} more platforms | ${cols.map(() => '').join(' | ')} |`);
    out.push('');
  }
  return out;
}

function revdepsSection(v: OpamPipelineView, jobs: Named[], publicUrl: string, limits: Limits): string[] {
  const plans = v.analysis?.revdeps ?? [];
  if (plans.length === 0) return [];
  const out: string[] = ['### Reverse dependencies', '', '| release | found | built | ✅ passed | ❌ failed | ⏳ pending |', '| --- | --: | --: | --: | --: | --: |'];
  const failures: Named[] = [];
  for (const r of plans) {
    const mine = jobs.filter((x) => x.n.type === 'revdep' && x.n.pkg === r.pkg);
    const c = countJobs(mine.map((x) => x.job));
    const built = new Set(r.builds.flatMap((b) => b.packages)).size;
    const cap = r.capped > 0 ? ` (${r.capped} over the cap)` : '';
    out.push(`| ${r.pkg} | ${r.total} | ${built}${cap} | ${c.passed} | ${c.failed} | ${c.pending} |`);
    failures.push(...mine.filter((x) => cellOf(x.job) === 'failed'));
  }
  out.push('');
  if (failures.length > 0) {
    out.push('Failed revdeps:', '');
    for (const x of failures.slice(0, limits.maxFailures)) {
      const why = x.job.reason ? `: ${oneLine(x.job.reason).slice(0, 200)}` : '';
      out.push(`- ${link(x.job.name, jobUrl(publicUrl, x.job))}${why}`);
    }
    if (failures.length > limits.maxFailures) out.push(`- … and ${failures.length - limits.maxFailures} more`);
    out.push('');
  }
  return out;
}

function lintSection(v: OpamPipelineView): string[] {
  const lint = v.analysis?.lint ?? [];
  if (v.analysis === undefined) return [];
  const errors = lint.filter((l) => l.level === 'error').length;
  const warnings = lint.length - errors;
  if (lint.length === 0) return ['### Lint', '', '✅ No lint errors.', ''];
  return [
    '### Lint',
    '',
    `${errors > 0 ? '❌' : '⚠️'} ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}:`,
    '',
    '```',
    ...lint.map((l) => l.message.replace(/```/g, '`\u200b``')),
    '```',
    '',
  ];
}

function compose(input: CommentInput, limits: Limits): string {
  const { view: v, publicUrl } = input;
  const p = v.pipeline;
  const base = v.analysis?.baseSha;
  const lines: string[] = [
    COMMENT_MARKER,
    `## opam-repo-ci: ${verdict(v)}`,
    '',
    `Commit ${link(p.sha.slice(0, 7), commitUrl(publicUrl, p.repo, p.sha))}${base ? ` merged into \`${base.slice(0, 7)}\`` : ''}.`,
    '',
  ];
  const failure = phaseOf(v) === 'analysis-failed' ? (v.analysis?.failure ?? v.analysisJob?.reason ?? p.error) : undefined;
  if (failure) lines.push(`**The analysis failed**: ${failure.split('\n').map((l) => l.trim()).join('; ')}`, '');

  const packages = v.analysis?.packages ?? [];
  if (packages.length > 0) {
    lines.push('### Changed packages', '', '| release | change |', '| --- | --- |');
    for (const c of packages) lines.push(`| ${c.pkg} | ${CHANGE_TEXT[c.change]}${c.hasTests ? ' (has tests)' : ''} |`);
    lines.push('');
  } else if (v.analysis !== undefined && !failure) {
    lines.push('No package changed: nothing to build.', '');
  }

  const jobs = named(v.jobs);
  lines.push(...buildsTable(jobs, publicUrl, limits));
  lines.push(...revdepsSection(v, jobs, publicUrl, limits));
  lines.push(...lintSection(v));

  const first = jobs.find((x) => x.n.type !== 'revdep' && cellOf(x.job) === 'failed') ?? jobs.find((x) => cellOf(x.job) === 'failed');
  const script = limits.reproduce && first && input.reproduce ? input.reproduce(first.job) : undefined;
  if (first && script) {
    lines.push(
      `### To reproduce ${link(`\`${first.job.name}\``, jobUrl(publicUrl, first.job))} locally`,
      '',
      '```sh',
      script.trimEnd().replace(/```/g, '`\u200b``'),
      '```',
      '',
    );
  }
  lines.push(`<sub>${link('All jobs and logs', commitUrl(publicUrl, p.repo, p.sha))} · updated as results arrive</sub>`);
  return `${lines.join('\n')}\n`;
}

/** The comment's markdown, cut down (fewer rows, fewer failures, no reproduction) to fit GitHub's limit. */
export function commentBody(input: CommentInput): string {
  const tries: Limits[] = [
    { maxRows: 200, maxFailures: 100, reproduce: true },
    { maxRows: 200, maxFailures: 20, reproduce: false },
    { maxRows: 40, maxFailures: 10, reproduce: false },
  ];
  let body = '';
  for (const limits of tries) {
    body = compose(input, limits);
    if (body.length <= MAX_COMMENT_CHARS) return body;
  }
  return `${body.slice(0, MAX_COMMENT_CHARS - 100)}\n\n… (cut: see the web UI)\n`;
}
