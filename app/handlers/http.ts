// Lambda handler for the HTTP API (webhooks, admin API, web UI, runner API), behind API Gateway.
import { handle } from 'hono/aws-lambda';
import type { LambdaEvent, LambdaContext } from 'hono/aws-lambda';
import { createHttpApp } from '../http/index.ts';
import { lambdaServices } from './lambda-services.ts';

let handler: ReturnType<typeof handle> | undefined;

export async function main(event: LambdaEvent, context: LambdaContext) {
  handler ??= handle(createHttpApp(await lambdaServices()));
  return handler(event, context);
}
