import { z } from 'zod';

// What the analysis decided about a commit's packages, carried from the (analysis) job's result to
// the job and pipeline records, the API, the UI, the CLI and the `cid` check run. Lists are capped
// so a project with hundreds of opam files keeps its records far below DynamoDB's 400 KB per item:
// what is cut is counted in `omitted`.

/** At most this many package names per list. */
export const MAX_LISTED_PACKAGES = 100;
/** A reason longer than this is cut (with "…"). */
export const MAX_PACKAGE_REASON = 300;

export const LeftOutPackageSchema = z.object({
  name: z.string().min(1),
  /** Why it cannot install on this job's platform: "ocaml >= 5.0 required". */
  reason: z.string().max(MAX_PACKAGE_REASON + 1),
});
export type LeftOutPackage = z.infer<typeof LeftOutPackageSchema>;

/** The packages a job builds and the root packages it leaves out (dune's --only-packages), with why. */
export const JobPackagesSchema = z.object({
  built: z.array(z.string().min(1)).max(MAX_LISTED_PACKAGES),
  leftOut: z.array(LeftOutPackageSchema).max(MAX_LISTED_PACKAGES),
  /** Names not listed above because of the caps. */
  omitted: z.number().int().nonnegative().default(0),
});
export type JobPackages = z.infer<typeof JobPackagesSchema>;

const cutReason = (s: string): string => (s.length > MAX_PACKAGE_REASON ? `${s.slice(0, MAX_PACKAGE_REASON)}…` : s);

/** Builds a bounded JobPackages from full lists. */
export function boundPackages(built: readonly string[], leftOut: readonly LeftOutPackage[]): JobPackages {
  const b = built.slice(0, MAX_LISTED_PACKAGES);
  const l = leftOut.slice(0, MAX_LISTED_PACKAGES).map((p) => ({ name: p.name, reason: cutReason(p.reason) }));
  return { built: b, leftOut: l, omitted: built.length - b.length + leftOut.length - l.length };
}

/** A bounded list of names, for a pipeline's roots and pins. */
export const PackageListSchema = z.array(z.string().min(1)).max(MAX_LISTED_PACKAGES);
export const boundList = (names: readonly string[]): string[] => names.slice(0, MAX_LISTED_PACKAGES);

/** "alpha" from "alpha.dev": the names people know packages by. */
export const packageName = (pkg: string): string => (pkg.includes('.') ? pkg.slice(0, pkg.indexOf('.')) : pkg);
