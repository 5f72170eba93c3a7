// Text output for people: aligned columns, coloured states on a terminal (NO_COLOR respected).
import type { CliIO } from './cli-context.ts';

const COLOURS: Record<string, string> = {
  passed: '32',
  failed: '31',
  errored: '31',
  running: '33',
  queued: '90',
  pending: '90',
  cancelled: '90',
  skipped: '90',
};

export function colourOn(io: CliIO): boolean {
  return io.isTTY && io.env.NO_COLOR === undefined;
}

export function paintStatus(io: CliIO, status: string): string {
  const c = COLOURS[status];
  return c && colourOn(io) ? `\x1b[${c}m${status}\x1b[0m` : status;
}

/** Rows as aligned columns (widths measured without colour codes). */
export function table(rows: string[][]): string {
  const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell))));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visible(cell)))).join('  ').trimEnd()).join('\n');
}

export function duration(from?: string, to?: string): string {
  if (!from) return '';
  const ms = (to ? Date.parse(to) : Date.now()) - Date.parse(from);
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
