// `cid opam solve|revdeps|lint`: the opam solver and linter on a local opam repository, without
// any server. Options are validated here (zod); errors are typed (app/errors) so main.ts maps
// them to exit codes: 2 usage, 4 unknown package, 9 solver gave up; 1 means "no solution" or
// "lint errors".
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { BadRequestError } from '../lib/errors/index.ts';
import { packageIdFromPath } from '../lib/opam/index.ts';
import { Solver, Universe, parsePackageRequest, reverseDependencies } from '../lib/opam/solver/index.ts';
import { lintRelease } from '../lib/opam-repo/lint/index.ts';
import type { CliContext, SubcommandRegistrar } from './cli-context.ts';
import { EXIT } from './exit-codes.ts';

/** The platform assumed unless --var says otherwise: opam-repo-ci's main one. */
export const DEFAULT_OPAM_VARS: Readonly<Record<string, string>> = {
  arch: 'x86_64',
  os: 'linux',
  'os-family': 'debian',
  'os-distribution': 'debian',
  'os-version': '12',
  'opam-version': '2.3.0',
};

const VAR = /^([a-z][a-z0-9_-]*)=(.*)$/i;
const collect = (v: string, acc: string[]): string[] => [...acc, v];

const Common = z.object({
  repo: z.string().min(1).optional(),
  var: z.array(z.string().regex(VAR, 'NAME=VALUE, e.g. arch=arm64')).default([]),
  json: z.boolean().optional(),
  timeout: z.coerce.number({ error: 'milliseconds' }).int('whole milliseconds').min(1, 'at least 1 ms').optional(),
});

const SolveFlags = Common.extend({
  ocaml: z.string().regex(/^\d+(\.\d+)*$/, 'a version such as 5.3 or 4.14.2').optional(),
  withTest: z.boolean().optional(),
  withDoc: z.boolean().optional(),
  lowerBounds: z.boolean().optional(),
  pin: z.array(z.string().regex(/^[^=]+=[^=]+$/, 'NAME=VERSION')).default([]),
});

const RevdepsFlags = Common.extend({
  recursive: z.boolean().optional(),
  coinstallable: z.boolean().optional(),
  withTest: z.boolean().optional(),
  withDoc: z.boolean().optional(),
  depopts: z.boolean().optional(),
  post: z.boolean().optional(),
});

function parse<T extends z.ZodType>(schema: T, cmd: Command): z.infer<T> {
  const r = schema.safeParse(cmd.optsWithGlobals());
  if (!r.success) throw new BadRequestError(r.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

const isOpamRepo = (dir: string): boolean => existsSync(join(dir, 'packages')) && existsSync(join(dir, 'repo'));

/** `--repo DIR`, else the current directory when it is an opam repository. */
function repoDir(repo: string | undefined): string {
  const dir = resolve(repo ?? '.');
  if (!isOpamRepo(dir)) {
    throw new BadRequestError(
      repo === undefined
        ? 'the current directory is not an opam repository (no repo file and packages/); pass --repo DIR'
        : `${dir} is not an opam repository (it needs a repo file and packages/)`,
    );
  }
  return dir;
}

function vars(list: string[]): Record<string, string> {
  const out: Record<string, string> = { ...DEFAULT_OPAM_VARS };
  for (const v of list) {
    const m = VAR.exec(v)!;
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** `--ocaml 5.3` → the newest 5.3.x; `--ocaml 5.3.0` → exactly that. */
function ocamlRequest(v: string): string {
  const parts = v.split('.');
  if (parts.length >= 3) return `ocaml.${v}`;
  const next = [...parts.slice(0, -1), String(Number(parts[parts.length - 1]) + 1)].join('.');
  return `ocaml>=${v}~&<${next}~`;
}

function solve(ctx: CliContext, specs: string[], cmd: Command): number {
  const f = parse(SolveFlags, cmd);
  const requests = specs.map(parsePackageRequest);
  if (f.ocaml !== undefined) requests.push(parsePackageRequest(ocamlRequest(f.ocaml)));
  const pins: Record<string, string> = {};
  for (const p of f.pin) {
    const [n, v] = p.split('=') as [string, string];
    pins[n] = v;
  }
  const universe = Universe.fromDirectory(repoDir(f.repo));
  const solver = new Solver(universe, {
    vars: vars(f.var),
    withTest: f.withTest,
    withDoc: f.withDoc,
    lowerBounds: f.lowerBounds,
    pins,
    timeoutMs: f.timeout,
  });
  const r = solver.solve(requests);
  if (f.json) ctx.io.out(JSON.stringify(r, null, 2));
  else if (r.ok) ctx.io.out(r.selection.map((s) => `${s.name}.${s.version}`).join('\n'));
  else ctx.io.out(`No solution for ${requests.map((q) => q.text).join(', ')}:\n${r.explanation.map((l) => `  - ${l}`).join('\n')}`);
  return r.ok ? EXIT.passed : EXIT.failed;
}

function revdeps(ctx: CliContext, pkg: string, cmd: Command): number {
  const f = parse(RevdepsFlags, cmd);
  const req = parsePackageRequest(pkg);
  if (req.constraint.kind !== 'atom' || req.constraint.atom.op !== '=') throw new BadRequestError(`revdeps needs NAME.VERSION, not "${pkg}"`);
  const universe = Universe.fromDirectory(repoDir(f.repo));
  const start = Date.now();
  const out = reverseDependencies(universe, `${req.name}.${req.constraint.atom.version}`, {
    vars: vars(f.var),
    recursive: f.recursive,
    coinstallable: f.coinstallable,
    withTest: f.withTest,
    withDoc: f.withDoc,
    depopts: f.depopts,
    post: f.post,
    timeoutMs: f.timeout,
  });
  if (f.json) ctx.io.out(JSON.stringify({ package: pkg, revdeps: out, ms: Date.now() - start }, null, 2));
  else if (out.length > 0) ctx.io.out(out.join('\n'));
  return EXIT.passed;
}

/** Every release directory under `path` (an opam file, a release, a package or a repository). */
function releaseDirs(path: string): string[] {
  const p = resolve(path);
  if (!existsSync(p)) throw new BadRequestError(`${path}: no such file or directory`);
  if (statSync(p).isFile()) return [resolve(p, '..')];
  if (existsSync(join(p, 'opam'))) return [p];
  const root = existsSync(join(p, 'packages')) ? join(p, 'packages') : p;
  const out: string[] = [];
  for (const d of readdirSync(root).sort()) {
    const sub = join(root, d);
    if (!statSync(sub).isDirectory()) continue;
    if (existsSync(join(sub, 'opam'))) out.push(sub);
    else for (const r of readdirSync(sub).sort()) if (existsSync(join(sub, r, 'opam'))) out.push(join(sub, r));
  }
  if (out.length === 0) throw new BadRequestError(`${path}: no opam file under it (expected packages/NAME/NAME.VERSION/opam)`);
  return out;
}

function filesOf(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + e.name;
    if (e.isDirectory()) for (const [k, v] of filesOf(join(dir, e.name), `${rel}/`)) out.set(k, v);
    else out.set(rel, statSync(join(dir, e.name)).mode & 0o111 ? '100755' : '100644');
  }
  return out;
}

function lint(ctx: CliContext, path: string, cmd: Command): number {
  const f = parse(Common.pick({ json: true }), cmd);
  const messages = releaseDirs(path).flatMap((dir) => {
    const id = packageIdFromPath(join(dir, 'opam'));
    if (!id) throw new BadRequestError(`${basename(dir)}: not a NAME.VERSION directory`);
    return lintRelease({ ...id, text: readFileSync(join(dir, 'opam'), 'utf8'), dirFiles: filesOf(dir) });
  });
  if (f.json) ctx.io.out(JSON.stringify(messages, null, 2));
  else if (messages.length > 0) ctx.io.out(messages.map((m) => m.message).join('\n'));
  return messages.some((m) => m.level === 'error') ? EXIT.failed : EXIT.passed;
}

const HELP = `
Exit status: 0 done (solve: a solution; lint: no errors), 1 no solution or lint errors, 2 usage
(bad option, malformed package), 4 unknown package or version, 9 the solver gave up (--timeout).
Platform variables default to ${Object.entries(DEFAULT_OPAM_VARS).map(([k, v]) => `${k}=${v}`).join(' ')}.

Examples:
  cid opam solve lwt --ocaml 5.3 --repo ~/opam-repository
  cid opam solve 'lwt>=5.7' dune.3.16.0 --var arch=arm64 --lower-bounds --json
  cid opam revdeps oseq.0.5.1 --coinstallable
  cid opam lint packages/lwt/lwt.5.9.1
`;

export const registerOpamCommand: SubcommandRegistrar = (program, ctx) => {
  const opam = program.command('opam').description('solve, list reverse dependencies and lint on a local opam repository').addHelpText('after', HELP);
  const common = (c: Command): Command =>
    c
      .option('--repo <dir>', 'the opam repository (default: the current directory)')
      .option('--var <name=value>', 'a platform variable (repeatable): arch, os, os-distribution, …', collect, [])
      .option('--timeout <ms>', 'give up after this long (default 20000)');
  common(opam.command('solve <packages...>').description('a set of versions satisfying every constraint, or why there is none'))
    .option('--ocaml <version>', 'with this OCaml (5.3: the newest 5.3.x)')
    .option('--with-test', 'include the requested packages’ test dependencies')
    .option('--with-doc', 'include the requested packages’ doc dependencies')
    .option('--lower-bounds', 'prefer the oldest versions')
    .option('--pin <name=version>', 'only this version of a package (repeatable)', collect, [])
    .action((specs: string[], _o: unknown, cmd: Command) => {
      ctx.exitCode = solve(ctx, specs, cmd);
    });
  common(opam.command('revdeps <package>').description('what `opam list --depends-on PKG.VER --all-versions` lists'))
    .option('--recursive', 'also what depends on them, transitively')
    .option('--coinstallable', 'only those installable together with the package')
    .option('--with-test', 'count test dependencies')
    .option('--with-doc', 'count doc dependencies')
    .option('--depopts', 'count optional dependencies')
    .option('--post', 'count {post} dependencies')
    .action((pkg: string, _o: unknown, cmd: Command) => {
      ctx.exitCode = revdeps(ctx, pkg, cmd);
    });
  opam
    .command('lint <path>')
    .description("opam-repo-ci's lint rules on an opam file, a release, a package or a repository")
    .action((path: string, _o: unknown, cmd: Command) => {
      ctx.exitCode = lint(ctx, path, cmd);
    });
};
