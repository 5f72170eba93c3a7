// Errors a handler throws to answer with GitHub's error shape.
import type { SchemaIssue } from './schema-validator.ts';

export const DOCS_URL = 'https://docs.github.com/rest';

export class GitHubHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly options: {
      /** A request GitHub would reject as malformed: also recorded in state.invalidRequests. */
      invalidRequest?: boolean;
      issues?: SchemaIssue[];
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    const body: Record<string, unknown> = { message: this.message, documentation_url: DOCS_URL, status: String(this.status) };
    if (this.options.issues && this.options.issues.length > 0) {
      body.errors = this.options.issues.map((i) => ({ resource: 'Request', field: i.path, code: i.keyword, message: i.message }));
    }
    return body;
  }
}

export const notFound = () => new GitHubHttpError(404, 'Not Found');
export const badCredentials = () => new GitHubHttpError(401, 'Bad credentials');
export const requiresAuthentication = () => new GitHubHttpError(401, 'Requires authentication');
export const notAccessibleByIntegration = () => new GitHubHttpError(403, 'Resource not accessible by integration');

/** A 422 for a request GitHub would refuse; recorded so tests can assert there were none. */
export function invalidRequest(message: string, issues: SchemaIssue[] = []): GitHubHttpError {
  return new GitHubHttpError(422, message, { invalidRequest: true, issues });
}
