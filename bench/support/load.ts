import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface LoadRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  expect: number[];
}

export interface LoadResult {
  wallMs: number;
  latencies: number[];
  failures: string[];
  failureCount: number;
}

/** Sends every client's requests (in order per client, clients concurrently) from a child process. */
export async function runLoad(clients: LoadRequest[][]): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cid-load-'));
  const file = join(dir, 'load.json');
  writeFileSync(file, JSON.stringify({ clients }));
  try {
    const script = new URL('./load-generator.ts', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, file], { maxBuffer: 256 * 1024 * 1024 });
    return JSON.parse(stdout) as LoadResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** True when this module is the script node was asked to run. */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && new URL(url).pathname === process.argv[1];
}
