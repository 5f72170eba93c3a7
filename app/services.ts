import type { Logger } from 'pino';
import type { Config } from './config/index.ts';
import type { Store } from './store/index.ts';
import type { Queues } from './queue/index.ts';
import type { GitHubApp } from './github/github-app.ts';
import type { AnalysisParams } from '../lib/contract/index.ts';

/** What every handler of the control plane works with, built once at start. */
export interface Services {
  config: Config;
  store: Store;
  queues: Queues;
  log: Logger;
  /** The platform catalogue and opam-repository commit every (analysis) job gets. */
  analysisParams: AnalysisParams;
  /** Absent when the App is not configured (local mode without GitHub). */
  github?: GitHubApp;
}
