// Every input of the web routes, validated: path parameters, query strings, form fields.
import type { Context } from 'hono';
import { z } from 'zod';
import { RepoNameSchema } from '../contract/index.ts';

const segment = z.string().min(1).max(100).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" or "-"');
export const OwnerSchema = segment;

export function repoName(c: Context): string {
  return RepoNameSchema.parse(`${c.req.param('owner')}/${c.req.param('repo')}`);
}

/** A commit as written in a URL: the full hash, or a prefix of at least 6 (redirected). */
export const CommitParamSchema = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{6,40}$/, 'a commit hash (at least 6 hexadecimal characters)'));

export const VariantSchema = z.string().min(1).max(200);

/** "build.attempt" of a job's run, as in `?run=2.3`. */
export const RunParamSchema = z
  .string()
  .regex(/^\d{1,6}\.\d{1,6}$/, 'a run as <build>.<attempt>, e.g. 2.3')
  .transform((s) => {
    const [g, a] = s.split('.').map(Number) as [number, number];
    return { generation: g, attempt: a };
  });

export const BranchSchema = z.string().min(1).max(255).refine((s) => !s.split('/').includes('..'), 'not a branch name');
export const PullSchema = z.coerce.number().int().positive().max(1e9);

export const JobPageQuery = z.object({
  run: RunParamSchema.optional(),
  raw: z.enum(['1', 'true', '0', 'false']).optional(),
});

export const RawQuery = z.object({
  run: RunParamSchema.optional(),
  /** Keep ANSI colour codes (the default strips them for a plain-text view). */
  ansi: z.enum(['1', 'true', '0', 'false']).optional(),
});

export const LiveQuery = z.object({
  seq: z.coerce.number().int().nonnegative().default(0),
  offset: z.coerce.number().int().nonnegative().default(0),
  line: z.coerce.number().int().nonnegative().default(0),
  sgr: z.string().regex(/^[0-9;]{0,64}$/, 'SGR parameters').default(''),
  run: z.string().regex(/^(\d{1,6}\.\d{1,6})?$/).default(''),
});

export const HistoryQuery = z.object({ after: z.string().max(1000).optional() });

export const ApiLogQuery = z.object({
  from: z.coerce.number().int().nonnegative().default(0),
  run: RunParamSchema.optional(),
});

export const CsrfForm = z.object({ _csrf: z.string().min(1, 'missing CSRF token').max(200) });

export const LoginQuery = z.object({ return_to: z.string().max(2000).optional() });
export const CallbackQuery = z.object({ code: z.string().min(1).max(500), state: z.string().min(1).max(200) });

/** Only same-site paths: "/github/x", never "//evil.example" or "https://…". */
export function safeReturnPath(p: string | undefined): string {
  if (!p || !p.startsWith('/') || p.startsWith('//') || p.startsWith('/\\')) return '/';
  return p;
}
