/**
 * Runners' heartbeat defaults (CID_RUNNER_HEARTBEAT_SECONDS, CID_RUNNER_STALE_SECONDS). Shared
 * with the control plane because its stale-running sweep follows them: a job silent for
 * `staleSeconds` is dead for the runners and for the sweeper alike.
 *
 * Every 15 s, stale after 75 s (issue #12): a beat is a write, so 300 running jobs cost 20 writes
 * a second instead of 300 at 1 s. 75 s is five beats, so two or three late or lost beats (a slow
 * API call, a GC pause) never take a live job away, and a dead runner's job is taken over about a
 * minute later, which is small beside a build's minutes. Cancellation is seen at the next beat, so
 * within 15 s. Tests set their own fast values (test/support/runner-harness.ts).
 */
export const HEARTBEAT_DEFAULTS = { heartbeatSeconds: 15, staleSeconds: 75 } as const;

/** A heartbeat may be late or lost; staleness under this many beats would take live jobs away. */
export const MIN_BEATS_BEFORE_STALE = 3;
