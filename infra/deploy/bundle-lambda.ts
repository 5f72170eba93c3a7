// Bundles the Lambda handlers into one zip: Lambda runs JavaScript, not our TypeScript, and a
// bundle starts faster than node_modules. Run by the osls plugin beside this file, or by hand.
import { build } from 'esbuild';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { FUNCTIONS } from './logical-ids.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BUNDLE_DIR = join(ROOT, 'dist/lambda');
export const ARTIFACT = join(ROOT, 'dist/lambda.zip');
// A fixed date keeps the zip byte-identical for identical code, so osls skips unchanged deploys.
const FIXED_MTIME = new Date('2020-01-01T00:00:00Z');

function files(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]))
    .sort();
}

export interface BundleOptions {
  /** Where the bundled files go (default dist/lambda). */
  outDir?: string;
  /** The zip osls uploads (default dist/lambda.zip, as serverless.yml's package.artifact says). */
  artifact?: string;
}

export async function bundleLambda(opts: BundleOptions = {}): Promise<{ artifact: string; bytes: number; entries: string[] }> {
  const outDir = opts.outDir ?? BUNDLE_DIR;
  const artifact = opts.artifact ?? ARTIFACT;
  rmSync(outDir, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: FUNCTIONS.map((fn) => `app/handlers/${fn}.ts`),
    outbase: '.',
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'app/chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    minifySyntax: true,
    minifyWhitespace: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    // CommonJS dependencies call require(); ESM output has none unless we make one.
    banner: { js: "import { createRequire as __cidRequire } from 'node:module'; const require = __cidRequire(import.meta.url);" },
  });
  const entries = files(outDir).map((f) => relative(outDir, f));
  const zip = new ZipFile();
  for (const e of entries) zip.addBuffer(readFileSync(join(outDir, e)), e, { mtime: FIXED_MTIME, mode: 0o644 });
  zip.end();
  mkdirSync(dirname(artifact), { recursive: true });
  await pipeline(zip.outputStream, createWriteStream(artifact));
  return { artifact, bytes: statSync(artifact).size, entries };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const out = await bundleLambda();
  console.log(`bundled ${out.entries.length} files into ${relative(ROOT, out.artifact)} (${(out.bytes / 1e6).toFixed(1)} MB) in ${Date.now() - started} ms`);
}
