// What `cid`'s exit status says, for scripts. Errors carry their own (app/errors: usage 2,
// auth 3, not found 4); these are the outcomes of a successful call.
export const EXIT = {
  passed: 0,
  failed: 1,
  usage: 2,
  notFound: 4,
  /** The commit or job has not finished yet (use --wait to wait for it). */
  running: 8,
  /** Stopped by Ctrl-C (128 + SIGINT), as shells report it. */
  interrupted: 130,
} as const;

/** A pipeline's or job's state as an exit status. */
export function exitFor(status: string): number {
  switch (status) {
    case 'passed':
    case 'skipped':
      return EXIT.passed;
    case 'failed':
    case 'errored':
    case 'cancelled':
      return EXIT.failed;
    default:
      return EXIT.running;
  }
}
