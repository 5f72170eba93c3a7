// The positional form `cid <owner/repo> [ref|sha] [variant] [action]`, as ocaml-ci's CLI has it:
// the action, when given, is the last word; a variant named like an action cannot exist.
import { BadRequestError } from '../lib/errors/index.ts';
import { RepoNameSchema } from '../lib/contract/index.ts';

export const ACTIONS = ['status', 'log', 'rebuild', 'cancel'] as const;
export type Action = (typeof ACTIONS)[number];

export interface Target {
  repo: string;
  ref?: string;
  variant?: string;
  action: Action;
}

const isAction = (s: string | undefined): s is Action => s !== undefined && (ACTIONS as readonly string[]).includes(s);

export function parseTarget(words: (string | undefined)[]): Target {
  const given = words.filter((w): w is string => w !== undefined && w !== '');
  const last = given.at(-1);
  const action: Action = isAction(last) && given.length > 1 ? last : 'status';
  const rest = isAction(last) && given.length > 1 ? given.slice(0, -1) : given;
  const [repo, ref, variant, ...extra] = rest;
  if (!repo) throw new BadRequestError('which repository? usage: cid <owner/repo> [ref|sha] [variant] [status|log|rebuild|cancel]');
  if (extra.length > 0) throw new BadRequestError(`unexpected ${extra.join(' ')}: the action (${ACTIONS.join('|')}) comes last`);
  const parsed = RepoNameSchema.safeParse(repo);
  if (!parsed.success) throw new BadRequestError(`${repo.slice(0, 200)}: the repository must be written owner/repo, as GitHub allows it (owner: letters, digits, "-", ≤ 39; repository: letters, digits, ".", "_", "-", ≤ 100)`);
  // Bounded as the API bounds them, so a typo is a clear error here rather than a refusal there.
  if (ref !== undefined && ref.length > 300) throw new BadRequestError(`the ref is ${ref.length} characters long: at most 300`);
  if (variant !== undefined && variant.length > 200) throw new BadRequestError(`the variant is ${variant.length} characters long: at most 200`);
  if (ref !== undefined && /^[0-9a-f]{1,5}$/i.test(ref)) throw new BadRequestError(`${ref}: a commit hash needs at least 6 characters`);
  if ((action === 'log' || action === 'rebuild' || action === 'cancel') && ref === undefined) {
    throw new BadRequestError(`${action} needs a ref or commit: cid ${repo} <ref|sha> ${action === 'log' ? '<variant> ' : '[variant] '}${action}`);
  }
  if (action === 'log' && variant === undefined) throw new BadRequestError(`log needs a variant: cid ${repo} ${ref} <variant> log`);
  return { repo: parsed.data, ...(ref !== undefined ? { ref } : {}), ...(variant !== undefined ? { variant } : {}), action };
}
