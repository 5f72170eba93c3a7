// The trust boundary between the control plane and the runners, checked on every import of every
// TypeScript file (eslint.config.js enforces the same table while editing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { FORBIDDEN_IMPORTS } from '../eslint.config.js';

const ROOT = new URL('../', import.meta.url).pathname;

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The module specifiers a file imports (static, re-exports, side-effect and literal dynamic imports). */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (/\.(ts|js|mjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

const layerOf = (root: string, file: string): string => relative(root, file).split(sep)[0] ?? '';

/** Every import that crosses the boundary, as "from → to". */
export function violations(root: string, layers: readonly string[] = Object.keys(FORBIDDEN_IMPORTS)): string[] {
  const bad: string[] = [];
  for (const layer of layers) {
    if (!existsSync(join(root, layer))) continue;
    const forbidden = (FORBIDDEN_IMPORTS as Record<string, string[]>)[layer] ?? [];
    for (const file of tsFiles(join(root, layer))) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = layerOf(root, resolve(dirname(file), spec));
        if (forbidden.includes(target)) bad.push(`${relative(root, file)} → ${spec}`);
      }
    }
  }
  return bad;
}

/** The files a module loads, transitively (relative imports only). */
function closure(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const spec of importsOf(readFileSync(f, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const p = resolve(dirname(f), spec);
      todo.push(existsSync(p) ? p : `${p}.ts`);
    }
  }
  return seen;
}

test('no import crosses the boundary: runner/ ↛ app, local, cli; app/ ↛ runner, local, cli; lib/ ↛ any of them', () => {
  assert.deepEqual(violations(ROOT), []);
});

test('the checker sees a forbidden import in each form (static, type, re-export, dynamic), and allows lib/', () => {
  const root = mkdtempSync(join(tmpdir(), 'cid-boundary-'));
  for (const d of ['runner/worker', 'app/x', 'lib/y', 'local']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'runner/worker/a.ts'), "import { x } from '../../app/store/index.ts';\nimport type { T } from '../../local/t.ts';\n");
  writeFileSync(join(root, 'runner/worker/b.ts'), "export * from '../../cli/c.ts';\nconst m = await import('../../app/m.ts');\n");
  writeFileSync(join(root, 'runner/worker/ok.ts'), "import { y } from '../../lib/y/index.ts';\nimport Docker from 'dockerode';\n");
  writeFileSync(join(root, 'app/x/a.ts'), "import {\n  Runner,\n} from '../../runner/worker/index.ts';\n");
  writeFileSync(join(root, 'lib/y/a.ts'), "import { q } from '../../app/queue/index.ts';\n");
  assert.deepEqual(violations(root).sort(), [
    'app/x/a.ts → ../../runner/worker/index.ts',
    'lib/y/a.ts → ../../app/queue/index.ts',
    'runner/worker/a.ts → ../../app/store/index.ts',
    'runner/worker/a.ts → ../../local/t.ts',
    'runner/worker/b.ts → ../../app/m.ts',
    'runner/worker/b.ts → ../../cli/c.ts',
  ]);
});

test("the runner starts from the files infra/runner/Dockerfile copies: its imports stay in lib/ and runner/", () => {
  const copied = [...readFileSync(join(ROOT, 'infra/runner/Dockerfile'), 'utf8').matchAll(/^COPY\s+(\S+)\s+\.\/\S*$/gm)].map((m) => m[1]!.replace(/\/$/, ''));
  assert.ok(copied.includes('lib') && copied.includes('runner') && !copied.includes('app'), `Dockerfile copies ${copied.join(', ')}`);
  const files = closure(join(ROOT, 'runner/main.ts'));
  const outside = [...files].map((f) => relative(ROOT, f)).filter((f) => !copied.includes(f.split(sep)[0]!) && !copied.includes(f));
  assert.deepEqual(outside, [], 'files the runner loads that its image does not have');
  assert.ok(files.size > 50, `the closure was followed (${files.size} files)`);
});
