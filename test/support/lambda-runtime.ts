// A stand-in for the part of the AWS Lambda Node.js runtime that response streaming uses: AWS's
// runtime, which exists only on Lambda, not our code. It behaves as the runtime interface client
// (aws-lambda-nodejs-runtime-interface-client) does:
// - `awslambda.streamifyResponse` marks a handler; the runtime calls a marked handler with the
//   event, a writable response stream and the context, and waits for the promise it returns;
// - `awslambda.HttpResponseStream.from` sets the stream's content type to
//   application/vnd.awslambda.http-integration-response and, just before the first write, writes
//   the metadata as JSON then 8 NUL bytes. Setting the content type after a write throws.
// The Function URL reads that prelude as the response's status, headers and cookies and sends
// what follows as the body; `invokeStreaming` does the same, keeping each write as a chunk.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { HttpResponseMetadata, StreamingHandler } from '../../app/handlers/aws-lambda-streaming.ts';

const STREAMING = Symbol('awslambda streaming handler');
const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = Buffer.alloc(8);

interface RuntimeStream extends Writable {
  setContentType(type: string): void;
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
}

/**
 * Defines the global `awslambda` as the runtime does, before a handler module is loaded. Others
 * may have made the object already (the AWS SDK keeps its InvokeStore there): the runtime's
 * functions are added to it.
 */
export function installLambdaRuntime(): void {
  globalThis.awslambda = Object.assign(globalThis.awslambda ?? {}, {
    streamifyResponse<E>(handler: StreamingHandler<E>): StreamingHandler<E> {
      return Object.assign(handler, { [STREAMING]: true });
    },
    HttpResponseStream: {
      from(stream: Writable, metadata: HttpResponseMetadata): Writable {
        const s = stream as RuntimeStream;
        s.setContentType(PRELUDE_CONTENT_TYPE);
        const prelude = JSON.stringify(metadata);
        s._onBeforeFirstWrite = (write) => {
          write(prelude);
          write(new Uint8Array(DELIMITER.length));
        };
        return s;
      },
    },
  });
}

/** The writable the runtime hands a streaming handler; here it keeps what is written. */
function responseStream(): { stream: RuntimeStream; writes: Buffer[]; contentType: () => string } {
  const writes: Buffer[] = [];
  let contentType = 'application/octet-stream';
  let started = false;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writes.push(chunk);
      callback();
    },
  }) as RuntimeStream;
  stream.setContentType = (type) => {
    if (started) throw new Error('Cannot set content-type, too late.');
    contentType = type;
  };
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((...args: unknown[]) => {
    if (!started && typeof stream._onBeforeFirstWrite === 'function') stream._onBeforeFirstWrite((chunk) => write(chunk));
    started = true;
    return write(...args);
  }) as Writable['write'];
  return { stream, writes, contentType: () => contentType };
}

export interface StreamedResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
  /** The body as the handler wrote it, one entry per write. */
  chunks: Buffer[];
}

/**
 * Invokes a streaming handler as the runtime does behind a Function URL in RESPONSE_STREAM mode.
 * Rejects when the handler does (the Function URL would answer 502).
 */
export async function invokeStreaming(handler: unknown, event: unknown): Promise<StreamedResponse> {
  if (typeof handler !== 'function' || !(STREAMING in handler)) throw new Error('not a streaming handler: it did not go through awslambda.streamifyResponse');
  const { stream, writes, contentType } = responseStream();
  const context = { awsRequestId: randomUUID(), functionName: 'cid-test-http', getRemainingTimeInMillis: () => 120_000 };
  await (handler as unknown as StreamingHandler)(event, stream, context);
  if (!stream.writableEnded) stream.end();
  await finished(stream);

  if (contentType() !== PRELUDE_CONTENT_TYPE) {
    // No metadata: the Function URL answers 200 with the stream's content type.
    return { statusCode: 200, headers: { 'content-type': contentType() }, cookies: [], body: Buffer.concat(writes), chunks: writes };
  }
  const all = Buffer.concat(writes);
  const end = all.indexOf(DELIMITER);
  if (end < 0) throw new Error('streamed response without the prelude delimiter');
  const meta = JSON.parse(all.subarray(0, end).toString('utf8')) as HttpResponseMetadata;
  const bodyStart = end + DELIMITER.length;
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const w of writes) {
    if (offset >= bodyStart && w.length > 0) chunks.push(w);
    offset += w.length;
  }
  return { statusCode: meta.statusCode, headers: meta.headers ?? {}, cookies: meta.cookies ?? [], body: all.subarray(bodyStart), chunks };
}

/** A request as a Function URL delivers it to the function (payload format 2.0). */
export function functionUrlEvent(
  method: string,
  pathAndQuery: string,
  opts: { headers?: Record<string, string>; body?: string; domain?: string } = {},
): Record<string, unknown> {
  const domain = opts.domain ?? 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws';
  const [path = '/', query = ''] = pathAndQuery.split('?', 2);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    headers: { host: domain, 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7', ...opts.headers },
    queryStringParameters: query ? Object.fromEntries(new URLSearchParams(query)) : undefined,
    requestContext: {
      accountId: 'anonymous',
      apiId: domain.split('.')[0],
      domainName: domain,
      domainPrefix: domain.split('.')[0],
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'cid-test' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    isBase64Encoded: false,
  };
}
