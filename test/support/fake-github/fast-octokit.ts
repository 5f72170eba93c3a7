// ProbotOctokit for tests: the same plugins (retry, throttling) with the same decisions, minus
// the real waiting — Octokit spaces writes 1-3 s apart and backs off for seconds, which would
// make every test against the fake slow. Pass it as `new Probot({ Octokit: FastProbotOctokit })`.
import { ProbotOctokit } from 'probot';

type Options = NonNullable<ConstructorParameters<typeof ProbotOctokit>[0]>;

/** Stands in for a Bottleneck group: runs each job at once. */
const immediate = {
  key: () => ({
    schedule: (_job: unknown, fn: (...args: unknown[]) => unknown, ...args: unknown[]) => Promise.resolve(fn(...args)),
  }),
};

/** Retry-after seconds become milliseconds. */
const MS_PER_SECOND = 1;

export const FastProbotOctokit = ProbotOctokit.defaults((options: Options = {}) => ({
  ...options,
  retry: { ...options.retry, retryAfterBaseValue: MS_PER_SECOND },
  throttle: {
    ...options.throttle,
    retryAfterBaseValue: MS_PER_SECOND,
    // Octokit's own groups enforce 1 s between writes and 3 s between notifying writes.
    write: immediate,
    notifications: immediate,
    search: immediate,
  } as Options['throttle'],
}));
