// A repository's own `.cid.yml`: optional, and only ever narrows or relaxes what cid plans with
// no configuration (ocaml-ci's users asked for this: ocaml-ci#805, #1016, #753). Every key is a
// list of globs over job names, so it works with any platform catalogue an operator installs:
//
//   exclude: ["*_s390x_*", "(lint-doc)"]   # never planned: shown as dropped, with the pattern
//   only: ["debian-*"]                      # platform builds kept ((lint-…) and (lower-bound) are not affected)
//   experimental: ["*_riscv64_*"]           # may fail without failing the commit
import { minimatch } from 'minimatch';
import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { AnalysisResult, PlannedJob } from '../contract/index.ts';
import { AnalysisError } from './errors.ts';
import type { FileReader } from './repo-content.ts';

export const REPO_CONFIG_FILES = ['.cid.yml', '.cid.yaml'] as const;
/** A config file is a few lines; anything much bigger is a mistake. */
const MAX_CONFIG_BYTES = 64 * 1024;

const Globs = z.array(z.string().trim().min(1, 'a pattern cannot be empty').max(200)).max(100);

export const RepoConfigSchema = z.strictObject({
  exclude: Globs.default([]),
  only: Globs.optional(),
  experimental: Globs.default([]),
});
export type RepoConfig = z.infer<typeof RepoConfigSchema>;

/** A build on a platform of the matrix; `(lower-bound)` and the lint jobs are named in parentheses. */
const isPlatformBuild = (j: PlannedJob): boolean => j.kind === 'build' && !j.name.startsWith('(');

const matches = (name: string, pattern: string): boolean => minimatch(name, pattern, { nocase: true, noext: true, nobrace: false });

/** The node at `path`, or for a map key that has no usable value, the key itself. */
function nodeAt(doc: ReturnType<typeof parseDocument>, path: (string | number)[]): unknown {
  const value: unknown = doc.getIn(path, true);
  if (isNode(value)) return value;
  const parent: unknown = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  return isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === path.at(-1))?.key : undefined;
}

/** Parses a `.cid.yml`; errors name the file, and the line or the key, and say what is expected. */
export function parseRepoConfig(text: string, file: string = REPO_CONFIG_FILES[0]): RepoConfig {
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) throw new AnalysisError(`${file} is over ${MAX_CONFIG_BYTES / 1024} KiB`, { file });
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter: lines });
  const [syntax] = doc.errors;
  if (syntax) {
    const at = syntax.linePos?.[0];
    throw new AnalysisError(`${file} is not valid YAML: ${syntax.message}`, { file, ...(at ? { line: at.line, column: at.col } : {}) });
  }
  let value: unknown;
  try {
    value = doc.contents === null ? {} : doc.toJS();
  } catch (err) {
    // `exclude: *_s390x_*` reads as a YAML alias: the most likely mistake in this file.
    const hint = /alias/i.test((err as Error).message) ? ' (a pattern that starts with * must be quoted, e.g. "*_s390x_*")' : '';
    throw new AnalysisError(`${file} is not valid YAML: ${(err as Error).message}${hint}`, { file });
  }
  if (doc.contents !== null && !isMap(doc.contents)) throw new AnalysisError(`${file} must be a mapping with the keys exclude, only and experimental`, { file });
  const parsed = RepoConfigSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      // An unknown key is pointed at by its own line.
      const path = (i.code === 'unrecognized_keys' ? [...i.path, i.keys[0]] : i.path) as (string | number)[];
      const node: unknown = path.length > 0 ? nodeAt(doc, path) : undefined;
      const line = isNode(node) && node.range ? lines.linePos(node.range[0]).line : undefined;
      return `${line === undefined ? '' : `line ${line}: `}${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`;
    });
    throw new AnalysisError(`${file} is invalid (the keys are exclude, only and experimental, each a list of job name patterns):\n${problems.join('\n')}`, { file });
  }
  return parsed.data;
}

/** Reads the repository's config file, if it has one. */
export async function readRepoConfig(files: readonly string[], readFile: FileReader): Promise<{ file: string; config: RepoConfig } | undefined> {
  const present = REPO_CONFIG_FILES.filter((f) => files.includes(f));
  if (present.length > 1) throw new AnalysisError(`both ${present.join(' and ')} exist; keep one`);
  const [file] = present;
  return file === undefined ? undefined : { file, config: parseRepoConfig(await readFile(file), file) };
}

/**
 * Applies a repository's config to a plan: excluded jobs (and builds not in `only`) move to the
 * dropped list with the reason, matching jobs become experimental. `notes` gets a line per
 * pattern that matched nothing, since that is most often a typo. Refuses a config that leaves no
 * build at all.
 */
export function applyRepoConfig(plan: AnalysisResult, config: RepoConfig, file: string, notes: (line: string) => void = () => undefined): AnalysisResult {
  const used = new Set<string>();
  const first = (name: string, patterns: readonly string[]): string | undefined => {
    const p = patterns.find((x) => matches(name, x));
    if (p !== undefined) used.add(p);
    return p;
  };
  const jobs: PlannedJob[] = [];
  const dropped = [...plan.dropped];
  for (const job of plan.jobs) {
    const excludedBy = first(job.name, config.exclude);
    if (excludedBy !== undefined) {
      dropped.push({ variant: job.name, reason: `excluded by ${file} ("${excludedBy}")` });
      continue;
    }
    if (isPlatformBuild(job) && config.only !== undefined && first(job.name, config.only) === undefined) {
      dropped.push({ variant: job.name, reason: `not in the "only" list of ${file}` });
      continue;
    }
    jobs.push(first(job.name, config.experimental) === undefined ? job : { ...job, experimental: true });
  }
  for (const p of [...config.exclude, ...(config.only ?? []), ...config.experimental]) {
    if (!used.has(p)) notes(`${file}: the pattern "${p}" matches no job`);
  }
  if (plan.jobs.some(isPlatformBuild) && !jobs.some(isPlatformBuild)) {
    throw new AnalysisError(`${file} leaves no platform to build: its patterns drop every one of ${plan.jobs.filter(isPlatformBuild).map((j) => j.name).join(', ')}`);
  }
  return { ...plan, jobs, dropped };
}
