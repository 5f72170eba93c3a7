// `npm run bench [name …]`: runs every benchmark in bench/ (or those named) one after another,
// printing each one's figures as it finishes, then all of them as one JSON document.
import { readdirSync } from 'node:fs';
import { machine } from './support/load.ts';

const dir = new URL('.', import.meta.url).pathname;
const wanted = process.argv.slice(2);
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .filter((n) => wanted.length === 0 || wanted.some((w) => n.includes(w)))
  .sort();
if (names.length === 0) {
  console.error(`no benchmark matches ${wanted.join(' ')}`);
  process.exit(2);
}

const results: Record<string, unknown> = {};
console.log(`cid benchmarks, ${new Date().toISOString()}, ${machine()}`);
for (const name of names) {
  const mod = (await import(`./${name}.ts`)) as { run?: () => Promise<unknown> };
  if (typeof mod.run !== 'function') continue;
  const t0 = performance.now();
  try {
    results[name] = await mod.run();
  } catch (err) {
    results[name] = { error: (err as Error).message };
  }
  console.log(`\n## ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n${JSON.stringify(results[name], null, 2)}`);
}
console.log(`\n${JSON.stringify({ date: new Date().toISOString(), machine: machine(), results })}`);
if (Object.values(results).some((r) => r && typeof r === 'object' && 'error' in r)) process.exitCode = 1;
