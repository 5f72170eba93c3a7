import type { z } from 'zod';
import type { Context } from 'probot';
import type { Services } from '../services.ts';
import type { WebhookResult } from './webhook-result.ts';

/** What a handler uses of probot's context: the client authenticated as the delivery's installation. */
export type EventContext = Pick<Context, 'octokit'>;

/** How cid treats one webhook event. */
export interface EventHandler<S extends z.ZodType = z.ZodType> {
  /** The fields cid needs; checked on the request path, so a bad payload is a 4xx at once. */
  schema: S;
  /** Decided on the request path without I/O: a reason to ignore the delivery, or undefined to queue it. */
  ignore?: (p: z.infer<S>) => string | undefined;
  /** Done by the events consumer, off the request path, as a listener of the probot app (app.ts). */
  handle: (svc: Services, p: z.infer<S>, context: EventContext) => Promise<WebhookResult>;
  /** Rebuilds and cancels are not idempotent: the same delivery must act once. */
  dedupe: boolean;
}

export const defineHandler = <S extends z.ZodType>(h: EventHandler<S>): EventHandler<S> => h;
