/**
 * Every error meant for a user carries the HTTP status and CLI exit code it maps to, so one
 * function (map-error.ts) turns any of them into a response or an exit.
 */
export class CidError extends Error {
  readonly status: number;
  readonly exitCode: number;
  readonly code: string;
  readonly details?: unknown;

  constructor(code: string, message: string, opts: { status: number; exitCode?: number; details?: unknown; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = opts.status;
    this.exitCode = opts.exitCode ?? 1;
    this.details = opts.details;
  }
}

export class BadRequestError extends CidError {
  constructor(message: string, details?: unknown) {
    super('bad_request', message, { status: 400, exitCode: 2, details });
  }
}

export class UnauthorizedError extends CidError {
  constructor(message: string) {
    super('unauthorized', message, { status: 401, exitCode: 3 });
  }
}

export class ForbiddenError extends CidError {
  constructor(message: string) {
    super('forbidden', message, { status: 403, exitCode: 3 });
  }
}

export class NotFoundError extends CidError {
  constructor(message: string) {
    super('not_found', message, { status: 404, exitCode: 4 });
  }
}

export class ConflictError extends CidError {
  constructor(message: string) {
    super('conflict', message, { status: 409, exitCode: 5 });
  }
}

export class PayloadTooLargeError extends CidError {
  constructor(message: string) {
    super('payload_too_large', message, { status: 413, exitCode: 2 });
  }
}

export class UnsupportedMediaTypeError extends CidError {
  constructor(message: string) {
    super('unsupported_media_type', message, { status: 415, exitCode: 2 });
  }
}

export class UnprocessableError extends CidError {
  constructor(message: string, details?: unknown) {
    super('unprocessable', message, { status: 422, exitCode: 2, details });
  }
}

export class NotConfiguredError extends CidError {
  constructor(message: string) {
    super('not_configured', message, { status: 503, exitCode: 6 });
  }
}

export class ConfigError extends CidError {
  constructor(message: string) {
    super('config', message, { status: 500, exitCode: 78 });
  }
}
