import type { PipelineView } from '../pipelines/advance.ts';
import type { Services } from '../services.ts';

/** A pipeline as its reporters see it: the status is the one app/pipelines/advance.ts wrote. */
export type { PipelineView };

/**
 * Shows a pipeline somewhere outside cid (GitHub check runs, commit statuses and comments,
 * Slack; later deployments and benchmarks). Called after every change of the pipeline, with
 * the same view for all; what to write, and when, is the reporter's, through reportOnce.
 * Throwing leaves the results message for a redelivery.
 */
export interface Reporter {
  readonly name: string;
  report(svc: Services, view: PipelineView): Promise<void>;
}
