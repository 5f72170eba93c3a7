import type Docker from 'dockerode';

export interface ResourceLimits {
  /** Hard memory limit; swap is not added on top. 0: unlimited. */
  memoryBytes: number;
  /** CPU quota in billionths of a CPU (2 CPUs: 2e9). 0: unlimited. */
  nanoCpus: number;
  /** Most processes (threads included) at once, which stops fork bombs. 0: unlimited. */
  pidsLimit: number;
  /** no-new-privileges: setuid programs such as sudo gain nothing. Default: NO_NEW_PRIVILEGES_DEFAULT. */
  noNewPrivileges?: boolean;
}

/**
 * Off, on purpose: every job kind that runs containers (build, lint, opam-repo) starts with
 * ocaml-ci's prelude in an ocaml/opam image, which runs `sudo` as user opam (to select the opam
 * binary, chown the source, install depexts with apt/dnf), and no-new-privileges makes that sudo
 * fail; analysis jobs run no container at all. The container stays unprivileged, with the
 * capabilities below dropped. Hosts whose images never use sudo set CID_JOB_NO_NEW_PRIVILEGES=true.
 */
export const NO_NEW_PRIVILEGES_DEFAULT = false;

/**
 * Capabilities dropped from Docker's default set. Kept: what package managers and builds need
 * (CHOWN, DAC_OVERRIDE, FOWNER, FSETID, SETUID/SETGID for apt's privilege drop, SETFCAP for
 * packages that set file capabilities, KILL, SETPCAP, NET_BIND_SERVICE). Dropped: raw sockets,
 * device nodes, audit records and chroot, which no OCaml build needs.
 */
export const DROPPED_CAPABILITIES = ['NET_RAW', 'MKNOD', 'AUDIT_WRITE', 'SYS_CHROOT'] as const;

/**
 * What every step container runs with. Never privileged and never with the Docker socket (no
 * binds at all: only named cache volumes); no-new-privileges only when asked (see
 * NO_NEW_PRIVILEGES_DEFAULT). Output is read by attaching, so Docker keeps no log file of its own.
 */
export function hostConfig(opts: {
  limits: ResourceLimits;
  network: boolean;
  mounts?: Docker.MountSettings[];
}): Docker.HostConfig {
  const { memoryBytes, nanoCpus, pidsLimit } = opts.limits;
  return {
    NetworkMode: opts.network ? 'bridge' : 'none',
    Privileged: false,
    CapDrop: [...DROPPED_CAPABILITIES],
    SecurityOpt: (opts.limits.noNewPrivileges ?? NO_NEW_PRIVILEGES_DEFAULT) ? ['no-new-privileges'] : [],
    Memory: memoryBytes > 0 ? memoryBytes : 0,
    ...(memoryBytes > 0 ? { MemorySwap: memoryBytes } : {}),
    NanoCpus: nanoCpus > 0 ? nanoCpus : 0,
    ...(pidsLimit > 0 ? { PidsLimit: pidsLimit } : {}),
    Mounts: opts.mounts ?? [],
    LogConfig: { Type: 'none', Config: {} },
  };
}

/** What the next container of a job inherits from the config steps so far. */
export interface StepConfig {
  env: ReadonlyMap<string, string>;
  workdir: string;
  /** From a `user` step; undefined keeps the image's own user. */
  user?: { uid: number; gid: number };
}

/** Container-level fields (Env, WorkingDir, User); the image's Env is merged in by Docker. */
export function containerFields(
  config: StepConfig,
  opts: { workdir?: boolean } = {},
): Pick<Docker.ContainerCreateOptions, 'Env' | 'WorkingDir' | 'User'> {
  return {
    Env: [...config.env].map(([k, v]) => `${k}=${v}`),
    ...(opts.workdir === false ? {} : { WorkingDir: config.workdir }),
    ...(config.user === undefined ? {} : { User: `${config.user.uid}:${config.user.gid}` }),
  };
}

/** The label naming the runner whose job a step container runs (orphans are found by it). */
export const RUNNER_LABEL = 'cid.runner';

/** Docker container names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*; job ids may hold anything. */
export function containerName(jobId: string, stepIndex: number): string {
  const safe = jobId.replace(/[^a-zA-Z0-9_.-]/g, '_').slice(0, 64);
  return `cid-${safe}-step${stepIndex}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Creates a container with the pool's platform. dockerode would otherwise put the whole config in
 * the query string too; `_query`/`_body` keep the query to the name and platform.
 */
export async function createContainer(
  docker: Docker,
  opts: { name: string; platform: string; config: Docker.ContainerCreateOptions; labels?: Record<string, string> },
): Promise<Docker.Container> {
  return docker.createContainer({
    _query: { name: opts.name, platform: opts.platform },
    _body: opts.labels ? { ...opts.config, Labels: { ...opts.config.Labels, ...opts.labels } } : opts.config,
  } as unknown as Docker.ContainerCreateOptions);
}
