// The credential a handled call used, as stored on the objects it created.
import type { CallAuth } from '../state.ts';
import type { HandlerContext } from './types.ts';

export function callAuth(ctx: HandlerContext): CallAuth {
  const { kind, token, installationId, login } = ctx.creds;
  return { kind, token, installationId, login };
}
