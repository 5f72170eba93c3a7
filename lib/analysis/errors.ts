import { CidError } from '../errors/index.ts';

/**
 * Why a commit cannot be analysed, in words for the person who pushed it (shown as the
 * "(analysis)" job's failure and in the check run). `file`, `line` and `column` locate the
 * problem when there is one place to point at.
 */
export class AnalysisError extends CidError {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;

  constructor(message: string, where: { file?: string; line?: number; column?: number; cause?: unknown } = {}) {
    // 422: the request was understood but the repository cannot be built as it is.
    super('analysis', message, { status: 422, exitCode: 2, cause: where.cause });
    if (where.file !== undefined) this.file = where.file;
    if (where.line !== undefined) this.line = where.line;
    if (where.column !== undefined) this.column = where.column;
  }
}

/** A platform catalogue (preset name or operator file) that cannot be used. */
export class PlatformCatalogueError extends CidError {
  constructor(message: string) {
    super('platforms', message, { status: 500, exitCode: 78 });
  }
}
