import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

const SKIP = new Set(['.git', '_build', '_opam', 'node_modules']);

/** Every file path in a checked-out tree, relative to its root, skipping build output. */
export async function listFiles(root: string, max = 200_000): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(root, rel), { withFileTypes: true });
    for (const e of entries) {
      if (out.length >= max) return;
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP.has(e.name)) await walk(p);
      } else if (e.isFile() || e.isSymbolicLink()) out.push(p);
    }
  };
  await walk('');
  return out.sort();
}
