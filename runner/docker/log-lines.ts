/** ocaml-ci's log timestamp, in UTC: "2024-05-01 12:03.09". */
export function logTimestamp(d: Date = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}.${p(d.getUTCSeconds())}`;
}

/** Matches the prefix this module writes, for readers of logs (annotations, tests). */
export const TIMESTAMP_PREFIX = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}\.\d{2}: /;

/**
 * Puts "<timestamp>: " before every line as its first characters arrive. Output is passed on at
 * once, partial lines included, so a step's progress shows while it runs.
 */
export class LinePrefixer {
  private atLineStart = true;
  constructor(private readonly now: () => Date = () => new Date()) {}

  push(text: string): string {
    if (text === '') return '';
    const stamp = `${logTimestamp(this.now())}: `;
    let out = '';
    let from = 0;
    while (from < text.length) {
      if (this.atLineStart) out += stamp;
      const nl = text.indexOf('\n', from);
      if (nl === -1) {
        out += text.slice(from);
        this.atLineStart = false;
        break;
      }
      out += text.slice(from, nl + 1);
      this.atLineStart = true;
      from = nl + 1;
    }
    return out;
  }

  /** Ends a partial line, so what follows starts on a line of its own. */
  flush(): string {
    if (this.atLineStart) return '';
    this.atLineStart = true;
    return '\n';
  }
}

/** A whole line of our own (headers, verdicts), stamped. */
export const stampLine = (line: string, now: Date = new Date()): string => `${logTimestamp(now)}: ${line}\n`;
