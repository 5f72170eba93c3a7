// A log is stored as chunks; pages show lines. This turns a stream of chunks into lines, with the
// position after each line, so a reader can stop anywhere and resume later without holding the
// log: the position is (chunk seq, offset in that chunk's text).
import type { StoredLogChunk } from '../store/index.ts';

export interface LogPosition {
  seq: number;
  offset: number;
}

export interface LogLine {
  text: string;
  /** Where the text after this line starts. */
  next: LogPosition;
}

/**
 * Lines of the chunks from `start` on. A trailing line without its newline is yielded only when
 * `flushPartial` (the log is complete); otherwise it is left for the next read, which resumes at
 * its start.
 */
export async function* linesOf(chunks: AsyncIterable<StoredLogChunk>, start: LogPosition, flushPartial: boolean): AsyncGenerator<LogLine> {
  let partial = '';
  let lastSeq = start.seq - 1;
  for await (const c of chunks) {
    if (c.seq < start.seq) continue;
    const base = c.seq === start.seq ? Math.min(start.offset, c.text.length) : 0;
    const text = base > 0 ? c.text.slice(base) : c.text;
    lastSeq = c.seq;
    let pos = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', pos)) {
      let line = text.slice(pos, nl);
      if (partial) {
        line = partial + line;
        partial = '';
      }
      if (line.endsWith('\r')) line = line.slice(0, -1);
      pos = nl + 1;
      yield { text: line, next: pos === text.length ? { seq: c.seq + 1, offset: 0 } : { seq: c.seq, offset: base + pos } };
    }
    if (pos < text.length) partial += text.slice(pos);
  }
  if (partial && flushPartial) yield { text: partial, next: { seq: lastSeq + 1, offset: 0 } };
}

// The runner's line prefix: "2023-09-12 11:12.42: ".
const STAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}\.\d{2}): ?/;

/** Splits a line into its timestamp (date, time) and text; lines without one keep their text. */
export function splitTimestamp(line: string): { date?: string; time?: string; text: string } {
  const m = STAMP.exec(line);
  if (!m) return { text: line };
  return { date: m[1] as string, time: m[2] as string, text: line.slice(m[0].length) };
}
