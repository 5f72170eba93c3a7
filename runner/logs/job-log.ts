import type { LogsStore } from '../../app/store/index.ts';
import { MAX_LOG_CHUNK_BYTES } from '../../app/store/index.ts';

const TAIL_BYTES = 60 * 1024;
/** Kept in memory for finding compiler diagnostics; logs past this are scanned by their tail only. */
const SCAN_BYTES = 8 * 1024 * 1024;

/**
 * A job's log on its way to the store: buffered, written in chunks of at most 64 KiB every
 * `flushMs` (so the web UI can follow it live), capped at `capBytes` with one clear marker.
 */
export class JobLog {
  private buffer = '';
  private seq = 0;
  private written = 0;
  private truncated = false;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private scan = '';
  private tailText = '';
  private failed: Error | undefined;

  constructor(
    private readonly store: LogsStore,
    readonly logId: string,
    private readonly capBytes: number,
    private readonly flushMs = 250,
  ) {}

  write(text: string): void {
    if (this.truncated) return;
    const room = this.capBytes - this.written - Buffer.byteLength(this.buffer);
    if (Buffer.byteLength(text) > room) {
      text = Buffer.from(text).subarray(0, Math.max(0, room)).toString('utf8');
      text += `\n[cid] log truncated: this job's log reached the ${Math.round(this.capBytes / 1048576)} MiB limit; the job went on running.\n`;
      this.truncated = true;
    }
    this.buffer += text;
    if (this.scan.length < SCAN_BYTES) this.scan += text.slice(0, SCAN_BYTES - this.scan.length);
    this.tailText = (this.tailText + text).slice(-TAIL_BYTES);
    if (Buffer.byteLength(this.buffer) >= MAX_LOG_CHUNK_BYTES) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes what is buffered; chunks go in order. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(async () => {
      while (this.buffer.length > 0) {
        let piece = this.buffer;
        while (Buffer.byteLength(piece) > MAX_LOG_CHUNK_BYTES) piece = piece.slice(0, Math.floor(piece.length / 2));
        this.buffer = this.buffer.slice(piece.length);
        try {
          await this.store.append(this.logId, this.seq, piece);
          this.seq++;
          this.written += Buffer.byteLength(piece);
        } catch (err) {
          // A log that cannot be written must not kill the build; the failure is reported at the end.
          this.failed = err as Error;
        }
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  /** The end of the log, for the check run's text. */
  tail(): string {
    return this.tailText;
  }

  /** The start of the log (up to 8 MiB), for finding compiler diagnostics. */
  scanText(): string {
    return this.scan;
  }

  get error(): Error | undefined {
    return this.failed;
  }
}
