// Lambda handler for the control plane's HTTP surface (webhooks, admin API, web UI, runner API,
// /healthz, /metrics), behind a Lambda Function URL in RESPONSE_STREAM mode: responses go out as
// the app produces them, as they do locally, so a big raw log or a long page is not cut off at
// the 6 MB of a buffered Lambda response and its first bytes arrive at once.
import { streamHandle } from 'hono/aws-lambda';
import { createHttpApp } from '../http/index.ts';
import { lambdaServices } from './lambda-services.ts';
import { publicUrlDefault } from './public-url.ts';
import type { StreamingHandler } from './aws-lambda-streaming.ts';

let handler: StreamingHandler | undefined;

// Services are built on the first request (config and secrets from SSM), not at import. A failure
// then fails the invocation, so it counts in the function's Errors metric (and alarm) and the next
// request tries again, rather than being answered as an ordinary 500.
export const main = awslambda.streamifyResponse(async (event, responseStream, context) => {
  if (!handler) {
    // streamHandle's declared type is the buffered handler's; the runtime calls what it returns
    // as a streaming handler (it goes through awslambda.streamifyResponse).
    handler = streamHandle(createHttpApp(await lambdaServices(publicUrlDefault(event)))) as unknown as StreamingHandler;
  }
  return handler(event, responseStream, context);
});
