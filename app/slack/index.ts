// Slack: messages for failing and recovered default branches and finished opam-repository PRs,
// queued when a pipeline settles and delivered off the hot path with retries.
export { notifySlack, slackReporter } from './notify.ts';
export { deliverSlack, postToSlack, SLACK_RETRY_DELAYS, SLACK_TIMEOUT_MS } from './deliver.ts';
export type { SlackMessage, PostResult } from './deliver.ts';
export { branchFailed, branchRecovered, opamPrFinished } from './messages.ts';
export type { SlackPayload, MessageContext, OpamPrSummary } from './messages.ts';
