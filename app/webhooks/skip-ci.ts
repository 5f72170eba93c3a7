// "Don't build this commit", as GitHub Actions users write it in a commit message.

/** Markers anywhere in the message (compared case-insensitively). */
const MARKERS = ['[skip ci]', '[ci skip]', '[no ci]', '[skip cid]', '[cid skip]'] as const;

/** GitHub's trailer: `skip-checks: true` (or `skip-checks:true`) in the message's last paragraph. */
const SKIP_CHECKS = /^skip-checks:[ \t]*true[ \t]*$/i;

/**
 * The marker asking not to build a commit, as written in its message (`[skip ci]`, …,
 * `skip-checks: true`), or undefined when the commit is to be built.
 *
 * The trailer only counts in a trailer block: the last paragraph of a message that has a subject
 * paragraph before it, as git reads trailers.
 */
export function skipCiMarker(message: string | null | undefined): string | undefined {
  if (typeof message !== 'string' || message === '') return undefined;
  const lower = message.toLowerCase();
  for (const marker of MARKERS) {
    const at = lower.indexOf(marker);
    if (at >= 0) return message.slice(at, at + marker.length);
  }
  const paragraphs = message
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const last = paragraphs.length > 1 ? paragraphs[paragraphs.length - 1] : undefined;
  const trailer = last?.split('\n').find((line) => SKIP_CHECKS.test(line.trim()));
  return trailer?.trim();
}

/** The reason an event is ignored for a marker. */
export const skippedFor = (marker: string): string => `the head commit's message says ${marker}`;
