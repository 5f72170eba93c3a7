// Every input of the web routes, validated: path parameters, query strings, form fields.
import type { Context } from 'hono';
import { z } from 'zod';
import { OwnerNameSchema, RepoNameSchema } from '../../lib/contract/index.ts';

export const OwnerSchema = OwnerNameSchema;

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

/** Refs are part of DynamoDB keys (at most 1,024 bytes): bounded in bytes as well as characters. */
const fitsKey = (s: string) => Buffer.byteLength(s) <= 900;

export const BranchSchema = z
  .string()
  .min(1)
  .max(255)
  .refine(fitsKey, 'a branch name of at most 900 bytes')
  .refine((s) => !s.split('/').includes('..'), 'not a branch name');

/** A ref or commit as the API takes it ("main", "refs/heads/x", "pull/12", a hash prefix). */
export const RefParamSchema = z.string().min(1).max(300).refine(fitsKey, 'a ref of at most 900 bytes');
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

/**
 * Only same-site paths: "/github/x", never "//evil.example", "https://…", nor what a browser turns
 * into those ("/\t/evil.example" loses its tab, "/\\evil.example" reads as "//evil.example").
 * Decided as the browser will: parsed against the public origin, kept only if it stays there.
 */
export function safeReturnPath(p: string | undefined, publicUrl: string): string {
  if (!p?.startsWith('/')) return '/';
  const base = new URL(publicUrl);
  let u: URL;
  try {
    u = new URL(p, base);
  } catch {
    return '/';
  }
  // The serialised path must not itself start "//" ("/.//evil.example" parses to that path).
  if (u.origin !== base.origin || u.pathname.startsWith('//')) return '/';
  return `${u.pathname}${u.search}${u.hash}`;
}
