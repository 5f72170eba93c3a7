// Pull-driven streams: the next piece is produced only when the client has taken the previous
// one (the node server waits for 'drain'), so a 50 MB log never sits in memory.
const enc = new TextEncoder();

/** Joins small pieces into writes of about `batch` characters; the first piece goes out at once. */
export function textStream(source: AsyncIterable<string>, opts: { batch?: number; onError?: (err: unknown) => void } = {}): ReadableStream<Uint8Array> {
  const batch = opts.batch ?? 32 * 1024;
  const it = source[Symbol.asyncIterator]();
  let first = true;
  return new ReadableStream<Uint8Array>(
    {
      async pull(ctrl) {
        let buf = '';
        try {
          while (buf.length < batch) {
            const r = await it.next();
            if (r.done) {
              if (buf) ctrl.enqueue(enc.encode(buf));
              ctrl.close();
              return;
            }
            buf += r.value;
            if (first) break;
          }
        } catch (err) {
          opts.onError?.(err);
          ctrl.error(err);
          return;
        }
        first = false;
        ctrl.enqueue(enc.encode(buf));
      },
      async cancel() {
        await it.return?.(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
