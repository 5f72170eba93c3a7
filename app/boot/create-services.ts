import type { Logger } from 'pino';
import type { Config } from '../config/index.ts';
import { createDynamo, createSqs } from '../../lib/aws/index.ts';
import { createStore } from '../store/index.ts';
import { Queues } from '../queue/index.ts';
import { GitHubApp, type ProbotOctokitClass } from '../github/index.ts';
import { createLogger } from '../../lib/log/index.ts';
import type { Services } from '../services.ts';
import { analysisParams } from '../pipelines/analysis-params.ts';

/** Wires the control plane to its backend; the same for Lambda, the local server and tests. */
export async function createServices(
  config: Config,
  log: Logger = createLogger({ level: config.logLevel }),
  opts: { Octokit?: ProbotOctokitClass } = {},
): Promise<Services> {
  const params = analysisParams(config);
  const endpoints = { region: config.region, dynamoEndpoint: config.dynamoEndpoint, sqsEndpoint: config.sqsEndpoint };
  const store = createStore(createDynamo(endpoints), config.tablePrefix, { retentionDays: config.retentionDays });
  const queues = await Queues.connect(createSqs(endpoints), config.queuePrefix);
  const github = config.github ? new GitHubApp(config.github, log, opts.Octokit) : undefined;
  return { config, store, queues, log, analysisParams: params, ...(github ? { github } : {}) };
}
