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

/** Receives a line and where the text after it starts; returning false stops the reading. */
export type OnLine = (text: string, nextSeq: number, nextOffset: number) => boolean | void;

/**
 * Splits chunks into lines synchronously, one chunk at a time, so a chunk can be collected as
 * soon as its lines are rendered (big logs stream through without piling up in the heap).
 */
export class LineSplitter {
  private partial = '';
  private lastSeq: number;

  constructor(private readonly start: LogPosition) {
    this.lastSeq = start.seq - 1;
  }

  /** Calls `onLine` for each complete line of the chunk; false when `onLine` asked to stop. */
  feed(c: StoredLogChunk, onLine: OnLine): boolean {
    if (c.seq < this.start.seq) return true;
    const base = c.seq === this.start.seq ? Math.min(this.start.offset, c.text.length) : 0;
    const text = base > 0 ? c.text.slice(base) : c.text;
    this.lastSeq = c.seq;
    let pos = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', pos)) {
      let line = text.slice(pos, nl);
      if (this.partial) {
        line = this.partial + line;
        this.partial = '';
      }
      if (line.endsWith('\r')) line = line.slice(0, -1);
      pos = nl + 1;
      const more = pos === text.length ? onLine(line, c.seq + 1, 0) : onLine(line, c.seq, base + pos);
      if (more === false) return false;
    }
    if (pos < text.length) this.partial += text.slice(pos);
    return true;
  }

  /** The last line when it has no newline (only once the log is complete). */
  flush(onLine: OnLine): void {
    if (this.partial) onLine(this.partial, this.lastSeq + 1, 0);
    this.partial = '';
  }
}

/**
 * Lines of the chunks from `start` on. A trailing line without its newline is yielded only when
 * `flushPartial` (the log is complete); otherwise it is left for the next read, which resumes at
 * its start.
 */
export async function* linesOf(chunks: AsyncIterable<StoredLogChunk>, start: LogPosition, flushPartial: boolean): AsyncGenerator<LogLine> {
  const splitter = new LineSplitter(start);
  for await (const c of chunks) {
    const lines: LogLine[] = [];
    splitter.feed(c, (text, seq, offset) => void lines.push({ text, next: { seq, offset } }));
    yield* lines;
  }
  if (flushPartial) {
    const last: LogLine[] = [];
    splitter.flush((text, seq, offset) => void last.push({ text, next: { seq, offset } }));
    yield* last;
  }
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/** Length of the runner's line prefix "2023-09-12 11:12.42: " (0 when absent); no regex, no allocation. */
export function timestampLength(line: string): number {
  if (line.length < 20) return 0;
  for (const i of DIGITS) if (!isDigit(line.charCodeAt(i))) return 0;
  if (line[4] !== '-' || line[7] !== '-' || line[10] !== ' ' || line[13] !== ':' || line[16] !== '.' || line[19] !== ':') return 0;
  return line[20] === ' ' ? 21 : 20;
}

/** Splits a line into its timestamp (date, time) and text; lines without one keep their text. */
export function splitTimestamp(line: string): { date?: string; time?: string; text: string } {
  const n = timestampLength(line);
  if (n === 0) return { text: line };
  return { date: line.slice(0, 10), time: line.slice(11, 19), text: line.slice(n) };
}
