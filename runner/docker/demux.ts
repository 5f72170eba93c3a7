import { StringDecoder } from 'node:string_decoder';

/**
 * Splits Docker's multiplexed attach stream (Tty off): frames of an 8-byte header — stream id
 * (1 stdout, 2 stderr), 3 zero bytes, big-endian length — then the payload. Frames may be cut
 * anywhere by the transport, and so may UTF-8 characters: both are reassembled here.
 */
export class DockerStreamDemuxer {
  private pending: Buffer = Buffer.alloc(0);
  private readonly decoders = { 1: new StringDecoder('utf8'), 2: new StringDecoder('utf8') };

  constructor(private readonly onText: (text: string, stream: 'stdout' | 'stderr') => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 8) {
      const kind = this.pending[0];
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const payload = this.pending.subarray(8, 8 + size);
      this.pending = this.pending.subarray(8 + size);
      // Stream 0 (stdin) never carries output; anything else is treated as stdout.
      const stream = kind === 2 ? 2 : 1;
      const text = this.decoders[stream].write(payload);
      if (text !== '') this.onText(text, stream === 2 ? 'stderr' : 'stdout');
    }
  }

  end(): void {
    for (const stream of [1, 2] as const) {
      const rest = this.decoders[stream].end();
      if (rest !== '') this.onText(rest, stream === 2 ? 'stderr' : 'stdout');
    }
  }
}
