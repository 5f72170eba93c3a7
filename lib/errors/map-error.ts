import { ZodError, z } from 'zod';
import { BadRequestError, CidError } from './cid-error.ts';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** The one place that turns any thrown value into a user-facing error. */
export function toCidError(err: unknown): CidError {
  if (err instanceof CidError) return err;
  if (err instanceof ZodError) return new BadRequestError(z.prettifyError(err), err.issues);
  if (err instanceof SyntaxError) return new BadRequestError(`malformed JSON: ${err.message}`);
  return new CidError('internal', 'internal error; the details are in the server log', { status: 500, exitCode: 1, cause: err });
}

export function errorResponse(err: unknown): { status: number; body: ErrorBody } {
  const e = toCidError(err);
  const body: ErrorBody = { error: { code: e.code, message: e.message } };
  if (e.details !== undefined && e.status < 500) body.error.details = e.details;
  return { status: e.status, body };
}

export function exitCodeFor(err: unknown): number {
  return toCidError(err).exitCode;
}
