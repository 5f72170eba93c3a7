import type { TokenAnswer } from '../../lib/contract/index.ts';

/** A short-lived installation token for one job's repository (contents: read), from the runner API. */
export type JobToken = TokenAnswer;
