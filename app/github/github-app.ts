import { Probot } from 'probot';
import type { Logger } from 'pino';
import type { GitHubAppConfig } from '../config/index.ts';

export type InstallationOctokit = Awaited<ReturnType<Probot['auth']>>;
export type ProbotOctokitClass = NonNullable<NonNullable<ConstructorParameters<typeof Probot>[0]>['Octokit']>;

/**
 * The App's identity: installation-scoped Octokit clients (with probot's retry and throttling
 * plugins, so 5xx and rate limits are retried with backoff) and narrowly scoped tokens for runners.
 */
export class GitHubApp {
  /** Also receives the queued deliveries (app/webhooks/receiver.ts): handlers share its tokens. */
  readonly probot: Probot;

  /** `Octokit` lets tests keep probot's retry logic without its real-time throttling waits. */
  constructor(
    readonly config: GitHubAppConfig,
    log?: Logger,
    Octokit?: ProbotOctokitClass,
  ) {
    this.probot = new Probot({
      appId: config.appId,
      privateKey: config.privateKey,
      secret: config.webhookSecret,
      baseUrl: config.baseUrl,
      ...(log ? { log: log.child({ name: 'probot' }) as never } : {}),
      ...(Octokit ? { Octokit } : {}),
    });
  }

  get appId(): number {
    return this.config.appId;
  }

  installation(installationId: number): Promise<InstallationOctokit> {
    return this.probot.auth(installationId);
  }

  /** A token restricted to one repository and the given permissions (for a runner's job). */
  async mintToken(
    installationId: number,
    repo: string,
    permissions: Record<string, 'read' | 'write'>,
  ): Promise<{ token: string; expiresAt: string }> {
    const app = await this.probot.auth();
    const name = repo.split('/')[1] ?? repo;
    const out = await app.rest.apps.createInstallationAccessToken({
      installation_id: installationId,
      repositories: [name],
      permissions: permissions as never,
    });
    return { token: out.data.token, expiresAt: out.data.expires_at };
  }
}
