// Reporters: what shows a pipeline outside cid, behind one interface (reporter.ts) and one
// report-once / coalesce / defer helper (report-once.ts). The results consumer advances a
// pipeline (app/pipelines/advance.ts), then hands the same view to each of these in turn.
import { checkRunsReporter } from '../github/check-runs-reporter.ts';
import { opamRepoPrReporter } from '../opam-repo-pr/report-pr.ts';
import { slackReporter } from '../slack/notify.ts';
import type { Reporter } from './reporter.ts';

export type { Reporter, PipelineView } from './reporter.ts';
export { reportOnce, type Report, type ReportOutcome } from './report-once.ts';

export const REPORTERS: readonly Reporter[] = [checkRunsReporter, opamRepoPrReporter, slackReporter];
