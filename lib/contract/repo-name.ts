import { z } from 'zod';

// One rule for repository names, as GitHub has it, used by the webhook, the admin API, the web
// routes, the store and the runner: anything else (an owner "..", HTML, non-ASCII, 5,000
// characters) never reaches DynamoDB keys or GitHub URLs.

/** GitHub logins of users and organisations: letters, digits and "-", at most 39. */
export const OWNER_MAX_LENGTH = 39;
/** GitHub repository names: letters, digits, ".", "_" and "-", at most 100, never "." or "..". */
export const REPO_MAX_LENGTH = 100;

const OWNER = `[A-Za-z0-9-]{1,${OWNER_MAX_LENGTH}}`;
const REPO = `(?!\\.\\.?$)[A-Za-z0-9._-]{1,${REPO_MAX_LENGTH}}`;

const OWNER_RULE = `letters, digits or "-", at most ${OWNER_MAX_LENGTH} characters`;
const REPO_RULE = `letters, digits, ".", "_" or "-", at most ${REPO_MAX_LENGTH} characters, not "." or ".."`;

export const OwnerNameSchema = z.string().regex(new RegExp(`^${OWNER}$`), `must be a GitHub owner: ${OWNER_RULE}`);

export const RepoShortNameSchema = z.string().regex(new RegExp(`^${REPO}$`), `must be a GitHub repository name: ${REPO_RULE}`);

/** "owner/repo", as GitHub spells it. */
export const RepoNameSchema = z
  .string()
  .regex(new RegExp(`^${OWNER}/${REPO}$`), `must be "owner/repo" as GitHub allows it: owner of ${OWNER_RULE}; repository of ${REPO_RULE}`);

/** "owner/repo" with each segment encoded, for hand-built URLs (`…/repos/${repoUrlPath(name)}/tarball/…`). */
export function repoUrlPath(name: string): string {
  const [owner = '', repo = ''] = RepoNameSchema.parse(name).split('/');
  return `${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
}
