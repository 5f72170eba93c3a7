// The jobs that build only some of a commit's root packages, for people (cid status, cid local).

interface WithPackages {
  name: string;
  packages?: { built: readonly string[]; leftOut: ReadonlyArray<{ name: string; reason: string }>; omitted: number } | undefined;
}

/** One line per job that leaves root packages out (dune's --only-packages), with why. */
export function leftOutLines(jobs: readonly WithPackages[]): string[] {
  return jobs.flatMap((j) => {
    const p = j.packages;
    if (!p || (p.leftOut.length === 0 && p.omitted === 0)) return [];
    const out = p.leftOut.map((l) => `${l.name} (${l.reason})`).join(', ');
    const more = p.omitted > 0 ? ` and ${p.omitted} more` : '';
    return [`${j.name} leaves out ${out}${more}; builds ${p.built.join(', ') || 'nothing else'}`];
  });
}
