import { MAX_LOG_CHUNK_BYTES, MAX_LOG_CHUNKS_PER_REQUEST } from '../../lib/contract/index.ts';

const TAIL_BYTES = 60 * 1024;
/** Kept in memory for finding compiler diagnostics; logs past this are scanned by their tail only. */
const SCAN_BYTES = 8 * 1024 * 1024;

export interface LogChunk {
  seq: number;
  text: string;
}

/** Sends chunks (in seq order, at most MAX_LOG_CHUNKS_PER_REQUEST); the runner API's `log`. */
export type LogSink = (chunks: LogChunk[]) => Promise<unknown>;

/** The byte index ≤ `at` where a UTF-8 character starts, so a chunk never splits one. */
function charBoundary(buf: Buffer, at: number): number {
  let i = Math.min(at, buf.length);
  while (i > 0 && i < buf.length && (buf[i]! & 0xc0) === 0x80) i--;
  return i;
}

/**
 * A job's log on its way to the control plane: cut into chunks of at most 64 KiB, sent about once
 * a second (`flushMs`) or as soon as a request's worth (16 chunks) is pending, two requests at a
 * time. A failed request is sent again with the same seqs (the API is idempotent by
 * seq). Capped at `capBytes` with one clear marker.
 */
export class JobLog {
  private pending = '';
  private pendingBytes = 0;
  private readonly chunks: LogChunk[] = [];
  private seq = 0;
  private taken = 0;
  private truncated = false;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private scan = '';
  private tailText = '';
  private failed: Error | undefined;
  /** Requests made, retries included. */
  requests = 0;

  constructor(
    private readonly sink: LogSink,
    private readonly capBytes: number,
    private readonly o: { flushMs?: number; retries?: number; retryDelayMs?: number } = {},
  ) {}

  write(text: string): void {
    if (this.truncated || text === '') return;
    let bytes = Buffer.byteLength(text);
    const room = this.capBytes - this.taken;
    if (bytes > room) {
      text = Buffer.from(text).subarray(0, charBoundary(Buffer.from(text), Math.max(0, room))).toString('utf8');
      text += `\n[cid] log truncated: this job's log reached the ${Math.round(this.capBytes / 1048576)} MiB limit; the job went on running.\n`;
      this.truncated = true;
      bytes = Buffer.byteLength(text);
    }
    this.taken += bytes;
    this.pending += text;
    this.pendingBytes += bytes;
    if (this.scan.length < SCAN_BYTES) this.scan += text.slice(0, SCAN_BYTES - this.scan.length);
    this.tailText = (this.tailText.length + text.length > 2 * TAIL_BYTES ? this.tailText.slice(-TAIL_BYTES) : this.tailText) + text;
    if (this.pendingBytes >= MAX_LOG_CHUNK_BYTES) this.cut(false);
    if (this.chunks.length >= MAX_LOG_CHUNKS_PER_REQUEST) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.o.flushMs ?? 1000);
  }

  /** Full chunks out of the pending text (and the rest too when `all`). */
  private cut(all: boolean): void {
    if (this.pendingBytes === 0) return;
    const buf = Buffer.from(this.pending);
    let start = 0;
    while (buf.length - start >= MAX_LOG_CHUNK_BYTES || (all && start < buf.length)) {
      const end = buf.length - start > MAX_LOG_CHUNK_BYTES ? charBoundary(buf, start + MAX_LOG_CHUNK_BYTES) : buf.length;
      this.chunks.push({ seq: this.seq++, text: buf.subarray(start, end).toString('utf8') });
      start = end;
    }
    this.pending = buf.subarray(start).toString('utf8');
    this.pendingBytes = buf.length - start;
  }

  /** Sends everything written so far; resolves when it is sent (or given up on). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.cut(true);
    this.sending = this.sending.then(async () => {
      while (this.chunks.length > 0 && !this.failed) {
        // Two requests at a time: the store's readers stop at a gap (LogsStore.read), so a
        // later request landing first is never skipped, and the log streams about twice as fast.
        const batches = [0, 1]
          .map((i) => this.chunks.slice(i * MAX_LOG_CHUNKS_PER_REQUEST, (i + 1) * MAX_LOG_CHUNKS_PER_REQUEST))
          .filter((b) => b.length > 0);
        await Promise.all(batches.map((b) => this.send(b)));
        this.chunks.splice(0, batches.reduce((n, b) => n + b.length, 0));
      }
    });
    return this.sending;
  }

  private async send(batch: LogChunk[]): Promise<void> {
    const retries = this.o.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        this.requests++;
        await this.sink(batch);
        return;
      } catch (err) {
        // Refused (4xx: the lease is gone, or the text differs) cannot get better; the rest is
        // dropped, and a log that cannot be written must not kill the build.
        const status = (err as { status?: number }).status ?? 0;
        if ((status >= 400 && status < 500) || attempt >= retries) {
          this.failed = err as Error;
          return;
        }
        await new Promise((r) => setTimeout(r, (this.o.retryDelayMs ?? 1000) * (attempt + 1)));
      }
    }
  }

  async close(): Promise<void> {
    await this.flush();
  }

  /** The end of the log. */
  tail(): string {
    return this.tailText.slice(-TAIL_BYTES);
  }

  /** The start of the log (up to 8 MiB), for finding compiler diagnostics. */
  scanText(): string {
    return this.scan;
  }

  get error(): Error | undefined {
    return this.failed;
  }
}
