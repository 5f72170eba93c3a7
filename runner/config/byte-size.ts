/**
 * A size as people write it: `50GiB`, `500MB`, `2T`, `1.5 GiB`, `1048576`. KiB, MiB, GiB, TiB (or
 * Ki, Mi, …) are powers of 1024; KB, MB, GB, TB powers of 1000; a bare K, M, G, T is 1024-based,
 * as in `df -h` and `docker run -m`. Case is ignored. Undefined when it is not a size.
 */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgtp])(i?)(b?)|(b))?\s*$/i.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]);
  const prefix = m[2]?.toLowerCase();
  if (prefix === undefined) return Number.isInteger(value) ? value : undefined;
  const power = 'kmgtp'.indexOf(prefix) + 1;
  const decimal = m[3] === '' && m[4] !== '';
  return Math.round(value * (decimal ? 1000 : 1024) ** power);
}

/** 53687091200 → "50 GiB", for logs. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i === 0 ? v : v.toFixed(1).replace(/\.0$/, '')} ${units[i]}`;
}
