/** Base class of the executor's own errors: infrastructure problems, not build failures. */
export class ExecutorError extends Error {
  override readonly name: string = 'ExecutorError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The base image is absent, cannot be pulled, or is built for another platform than the pool's. */
export class ImageUnavailableError extends ExecutorError {
  override readonly name = 'ImageUnavailableError';
  constructor(
    readonly image: string,
    readonly platform: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`image ${image} (${platform}) is unavailable: ${detail}`, options);
  }
}

/**
 * A `copy` step names a source that is missing, escapes the source tree, or changed while it was
 * being copied. The executor reports it as a failed step (it is the job's fault, not the runner's).
 */
export class CopySourceError extends ExecutorError {
  override readonly name = 'CopySourceError';
}
