// Types of what the Lambda Node.js runtime provides for response streaming: the `awslambda`
// global (it is not a package, so nothing else declares it) and the handler shape it calls.
import type { Writable } from 'node:stream';

/** What a streaming handler is called with: the event, a stream for the response, the context. */
export type StreamingHandler<E = unknown> = (event: E, responseStream: Writable, context: unknown) => Promise<void>;

/** Status, headers and cookies sent ahead of the body (the Function URL's HTTP response head). */
export interface HttpResponseMetadata {
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
}

declare global {
  // The runtime defines it before loading the handler's module.
  var awslambda: {
    /** Marks a handler as streaming: the runtime then hands it a response stream. */
    streamifyResponse<E>(handler: StreamingHandler<E>, options?: { highWaterMark?: number }): StreamingHandler<E>;
    HttpResponseStream: { from(stream: Writable, metadata: HttpResponseMetadata): Writable };
  };
}
