/**
 * The runner API answered with an error (4xx, or 5xx after the retries), or could not be reached
 * (status 0). `message` is the server's own ({error: {message}}) when it sent one.
 */
export class RunnerApiError extends Error {
  override readonly name = 'RunnerApiError';
  constructor(
    readonly route: string,
    /** HTTP status; 0 when the server was never reached. */
    readonly status: number,
    message: string,
    /** The server's error code ({error: {code}}), when it sent one. */
    readonly code?: string,
  ) {
    super(`runner API ${route}: ${status === 0 ? '' : `${status} `}${message}`);
  }

  /** A client error: retrying the same request cannot help. */
  get refused(): boolean {
    return this.status >= 400 && this.status < 500;
  }
}
