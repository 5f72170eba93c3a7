// Locally made Docker images for tests (no registry is reachable), built once and reused: an image
// carries a label with the hash of the recipe it was built from, and is rebuilt only when that
// changes. Also `ensureDocker()`, the rule for tests that need an engine: fail in CI, skip elsewhere.
import Docker from 'dockerode';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TestArch = 'amd64' | 'arm64';

export const INPUTS_LABEL = 'cid.test-image.inputs';
export const BUSYBOX_REPO = 'cid-test/busybox';
export const OCAML_IMAGE = 'cid-test/ocaml:bookworm';
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Busybox applets linked in the test image; enough for shell scripts and the tests' probes. */
export const BUSYBOX_APPLETS = [
  'sh', 'ash', 'awk', 'basename', 'cat', 'chmod', 'chown', 'cp', 'cut', 'date', 'dd', 'df', 'diff',
  'dirname', 'du', 'echo', 'env', 'expr', 'false', 'find', 'grep', 'head', 'hostname', 'id', 'ip',
  'kill', 'ln', 'ls', 'md5sum', 'mkdir', 'mktemp', 'mv', 'nc', 'nproc', 'od', 'ping', 'printf', 'ps',
  'pwd', 'readlink', 'realpath', 'rm', 'rmdir', 'sed', 'seq', 'sha256sum', 'sleep', 'sort', 'stat',
  'tail', 'tar', 'tee', 'test', 'timeout', 'touch', 'tr', 'true', 'uname', 'uniq', 'wc', 'wget',
  'which', 'whoami', 'xargs', 'yes',
] as const;

export class DockerUnavailableError extends Error {
  override readonly name = 'DockerUnavailableError';
}

export class ImageBuildError extends Error {
  override readonly name = 'ImageBuildError';
}

export const isCI = (): boolean => process.env.CI === 'true';

export interface DockerEngine {
  docker: Docker;
  /** false when the engine answers; else why the tests are skipped (never in CI: it throws). */
  skip: string | false;
}

/** arm64 binaries run here only through qemu registered with binfmt_misc. */
export function canEmulateArm64(): boolean {
  if (process.arch === 'arm64') return true;
  try {
    return readFileSync('/proc/sys/fs/binfmt_misc/qemu-aarch64', 'utf8').startsWith('enabled');
  } catch {
    return false;
  }
}

// A ref'd timer: while a test only waits (on another process's build lock), this timer is all
// that keeps its event loop alive; unref'd, node would end the test with its promise pending.
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The Docker engine for tests. In CI (`CI=true`) a missing engine is an error, so Docker tests
 * fail rather than pass unseen; elsewhere they are skipped with a message saying how to start one.
 * `arm64: true` also requires arm64 emulation, by the same rule.
 */
export async function ensureDocker(opts: { arm64?: boolean } = {}): Promise<DockerEngine> {
  const docker = new Docker();
  const unavailable = (reason: string): DockerEngine => {
    if (isCI()) throw new DockerUnavailableError(`${reason} (CI=true: tests that need Docker must run here)`);
    return { docker, skip: reason };
  };
  let timer: NodeJS.Timeout | undefined;
  const answers = await Promise.race([
    docker.ping().then(
      () => true,
      () => false,
    ),
    new Promise<false>((r) => (timer = setTimeout(() => r(false), 5000))),
  ]).finally(() => clearTimeout(timer));
  if (!answers) {
    return unavailable(
      `no Docker engine answers at ${process.env.DOCKER_HOST ?? '/var/run/docker.sock'}; start one with \`sudo infra/bootstrap.sh\` (or \`sudo dockerd --storage-driver=vfs &\`)`,
    );
  }
  if (opts.arm64 && !canEmulateArm64()) {
    return unavailable(
      'arm64 containers need qemu: install qemu-user-static and binfmt-support, or run `sudo infra/bootstrap.sh`',
    );
  }
  return { docker, skip: false };
}

// ---------------------------------------------------------------------------------------------
// Building

interface RunResult {
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => reject(new ImageBuildError(`${cmd}: ${e.message}`, { cause: e })));
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new ImageBuildError(`${cmd} ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

const hashInputs = (inputs: unknown): string => createHash('sha256').update(JSON.stringify(inputs)).digest('hex');

async function labelOf(docker: Docker, ref: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(ref).inspect()).Config?.Labels?.[INPUTS_LABEL];
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A cross-process lock (test files run in parallel processes): a directory holding the pid.
 * `onWait` is called once, when the lock is first found held by a live process.
 */
export async function withLock<T>(name: string, fn: () => Promise<T>, opts: { onWait?: () => void } = {}): Promise<T> {
  let waited = false;
  const dir = join(tmpdir(), 'cid-test-image-locks');
  await mkdir(dir, { recursive: true });
  const lock = join(dir, `${name.replace(/[^a-zA-Z0-9_.-]/g, '_')}.lock`);
  for (const started = Date.now(); ; ) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      const pid = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => 'NaN'));
      const alive = Number.isInteger(pid) && pid > 0 && isAlive(pid);
      // A lock whose owner died (or that is still being created, pid unwritten, for long) is stale.
      const age = Date.now() - (await stat(lock).then((s) => s.mtimeMs).catch(() => Date.now()));
      if (!alive && (Number.isInteger(pid) || age > 10_000)) await rm(lock, { recursive: true, force: true });
      else if (Date.now() - started > 20 * 60_000) throw new ImageBuildError(`timed out waiting for the lock ${lock}`);
      else {
        if (!waited) opts.onWait?.();
        waited = true;
        await sleep(500);
      }
    }
  }
  try {
    return await fn();
  } finally {
    await rm(join(lock, 'pid'), { force: true });
    await rmdir(lock).catch(() => undefined);
  }
}

const memo = new Map<string, Promise<string>>();

/** Returns `ref` when it was built from `inputs`, else builds it (once per process, one process at a time). */
function cachedBuild(docker: Docker, ref: string, inputs: unknown, build: (inputsHash: string) => Promise<void>): Promise<string> {
  const hash = hashInputs(inputs);
  const memoKey = `${ref}@${hash}`;
  let p = memo.get(memoKey);
  if (p === undefined) {
    p = (async () => {
      if ((await labelOf(docker, ref)) === hash) return ref;
      return withLock(ref, async () => {
        if ((await labelOf(docker, ref)) === hash) return ref;
        await build(hash);
        if ((await labelOf(docker, ref)) !== hash) throw new ImageBuildError(`${ref} was built but does not carry its inputs label`);
        return ref;
      });
    })();
    memo.set(memoKey, p);
    p.catch(() => memo.delete(memoKey));
  }
  return p;
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Loads a root filesystem as a one-layer image through `docker load` of a hand-made image
 * archive rather than `docker import`: import's `--platform` needs an experimental daemon (20.10
 * ignores it), and an arm64 image recorded as amd64 would not be found for `platform: linux/arm64`.
 */
async function loadRootfs(
  docker: Docker,
  opts: { rootfs: string; ref: string; arch: TestArch; env: string[]; cmd: string[]; labels: Record<string, string> },
): Promise<void> {
  const stage = await mkdtemp(join(tmpdir(), 'cid-image-stage-'));
  try {
    await run('tar', ['--numeric-owner', '-C', opts.rootfs, '-cf', join(stage, 'layer.tar'), '.']);
    const diffId = `sha256:${await sha256OfFile(join(stage, 'layer.tar'))}`;
    const created = new Date().toISOString();
    const config = JSON.stringify({
      architecture: opts.arch,
      os: 'linux',
      created,
      config: { Env: opts.env, Cmd: opts.cmd, Labels: opts.labels },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created, created_by: 'cid test/support/images.ts' }],
    });
    const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
    await writeFile(join(stage, configName), config);
    await writeFile(join(stage, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [opts.ref], Layers: ['layer.tar'] }]));
    await run('tar', ['-C', stage, '-cf', join(stage, 'image.tar'), 'manifest.json', configName, 'layer.tar']);
    const res = await docker.loadImage(join(stage, 'image.tar'), { quiet: true });
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(res, (err: Error | null) => (err ? reject(err) : resolve())),
    );
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/** `apt-get download` of one package for `arch`, adding the foreign architecture when needed. */
async function aptDownload(pkg: string, arch: TestArch, dir: string): Promise<string> {
  if (arch !== (await run('dpkg', ['--print-architecture'])).stdout.trim()) {
    const foreign = (await run('dpkg', ['--print-foreign-architectures'])).stdout.split('\n');
    if (!foreign.includes(arch)) {
      await run('dpkg', ['--add-architecture', arch]);
      await run('apt-get', ['update', '-qq']);
    }
  }
  const download = (): Promise<RunResult> => run('apt-get', ['download', '-qq', `${pkg}:${arch}`], { cwd: dir });
  // A machine whose package lists were never fetched (or are stale) needs one update first.
  await download().catch(async () => {
    await run('apt-get', ['update', '-qq']);
    await download();
  });
  const deb = (await readdir(dir)).find((n) => n.startsWith(`${pkg}_`) && n.endsWith(`_${arch}.deb`));
  if (deb === undefined) throw new ImageBuildError(`apt-get download ${pkg}:${arch} left no .deb in ${dir}`);
  return join(dir, deb);
}

/**
 * A tiny image of Debian's static busybox for `arch`, tagged `cid-test/busybox:<arch>`. Applet
 * links are made here on the host rather than with `busybox --install`, which for arm64 would need
 * qemu on the host.
 */
export function busyboxImage(arch: TestArch = 'amd64', docker: Docker = new Docker()): Promise<string> {
  const ref = `${BUSYBOX_REPO}:${arch}`;
  const inputs = { recipe: 'busybox-v1', suite: 'bookworm', package: 'busybox-static', arch, applets: BUSYBOX_APPLETS };
  return cachedBuild(docker, ref, inputs, async (hash) => {
    const work = await mkdtemp(join(tmpdir(), `cid-busybox-${arch}-`));
    try {
      const deb = await aptDownload('busybox-static', arch, work);
      const rootfs = join(work, 'rootfs');
      await run('dpkg-deb', ['-x', deb, rootfs]);
      await rm(join(rootfs, 'usr/share'), { recursive: true, force: true });
      for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'root', 'home', 'tmp', 'proc', 'sys', 'dev']) {
        await mkdir(join(rootfs, d), { recursive: true });
      }
      await chmod(join(rootfs, 'tmp'), 0o1777);
      if (!existsSync(join(rootfs, 'bin/busybox'))) throw new ImageBuildError(`${deb} has no bin/busybox`);
      for (const applet of BUSYBOX_APPLETS) {
        if (!existsSync(join(rootfs, 'bin', applet))) await symlink('busybox', join(rootfs, 'bin', applet));
      }
      await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
      await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
      await loadRootfs(docker, { rootfs, ref, arch, env: [PATH_ENV], cmd: ['/bin/sh'], labels: { [INPUTS_LABEL]: hash } });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
}

/**
 * Debian bookworm (minbase) with the OCaml compiler and dune from Debian, a user `opam` (uid 1000)
 * and bash: `cid-test/ocaml:bookworm`. About a minute to build, then reused.
 */
export function ocamlImage(docker: Docker = new Docker()): Promise<string> {
  const packages = ['ocaml-nox', 'dune'];
  const arch: TestArch = process.arch === 'arm64' ? 'arm64' : 'amd64';
  const inputs = { recipe: 'ocaml-v1', suite: 'bookworm', variant: 'minbase', mirror: DEBIAN_MIRROR, packages, user: 'opam:1000', arch };
  return cachedBuild(docker, OCAML_IMAGE, inputs, async (hash) => {
    const work = await mkdtemp(join(tmpdir(), 'cid-ocaml-'));
    const rootfs = join(work, 'rootfs');
    let procMounted = false;
    try {
      await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, DEBIAN_MIRROR]);
      // Packages (ocaml) cannot go in debootstrap's --include: its resolver fails on them.
      await writeFile(join(rootfs, 'etc/resolv.conf'), readFileSync('/etc/resolv.conf'));
      procMounted = await run('mount', ['-t', 'proc', 'proc', join(rootfs, 'proc')]).then(
        () => true,
        () => false,
      );
      const env = { DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' };
      await run('chroot', [rootfs, 'apt-get', 'update', '-qq'], { env });
      await run('chroot', [rootfs, 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
      await run('chroot', [rootfs, 'useradd', '--create-home', '--uid', '1000', '--shell', '/bin/bash', 'opam'], { env });
      await run('chroot', [rootfs, 'apt-get', 'clean'], { env });
      if (procMounted) {
        await run('umount', [join(rootfs, 'proc')]);
        procMounted = false;
      }
      await rm(join(rootfs, 'var/lib/apt/lists'), { recursive: true, force: true });
      await mkdir(join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });
      await writeFile(join(rootfs, 'etc/resolv.conf'), '');
      await loadRootfs(docker, { rootfs, ref: OCAML_IMAGE, arch, env: [PATH_ENV], cmd: ['/bin/bash'], labels: { [INPUTS_LABEL]: hash } });
    } finally {
      if (procMounted) await run('umount', ['-l', join(rootfs, 'proc')]).catch(() => undefined);
      await rm(work, { recursive: true, force: true });
    }
  });
}
