import { Probot } from 'probot';
import type { Services } from '../services.ts';
import cidApp from './app.ts';

/**
 * Without an App (local mode), probot still dispatches, with a client that has no credentials:
 * handlers check `svc.github` before they call GitHub. probot wants some credential to start.
 */
const NO_APP_TOKEN = 'cid-github-app-not-configured';

const receivers = new WeakMap<object, Promise<Probot>>();

/**
 * The probot instance that runs cid's app for these services: the GitHub App's own (its token
 * cache and Octokit class are shared with the rest of the control plane), loaded once.
 */
export function receiverFor(svc: Services): Promise<Probot> {
  const key = svc.github ?? svc.log;
  let receiver = receivers.get(key);
  if (!receiver) {
    const probot = svc.github?.probot ?? new Probot({ githubToken: NO_APP_TOKEN, log: svc.log as never });
    receiver = probot.load(cidApp).then(() => probot);
    receivers.set(key, receiver);
  }
  return receiver;
}
