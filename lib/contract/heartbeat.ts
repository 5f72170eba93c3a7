/**
 * Runners' heartbeat defaults (CID_RUNNER_HEARTBEAT_SECONDS, CID_RUNNER_STALE_SECONDS). Shared
 * with the control plane because its stale-running sweep follows them: a job silent for
 * `staleSeconds` is dead for the runners and for the sweeper alike.
 */
export const HEARTBEAT_DEFAULTS = { heartbeatSeconds: 1, staleSeconds: 30 } as const;

/** A heartbeat may be late or lost; staleness under this many beats would take live jobs away. */
export const MIN_BEATS_BEFORE_STALE = 3;
