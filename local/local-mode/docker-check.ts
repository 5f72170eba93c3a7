// cid local needs a Docker engine before anything starts: without one every build would wait
// in the queue forever, so it is said at once, in one sentence.
import type Docker from 'dockerode';
import { NotConfiguredError } from '../../lib/errors/index.ts';

export async function requireDocker(docker: Docker, env: NodeJS.ProcessEnv, timeoutMs = 5000): Promise<void> {
  const where = env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  let timer: NodeJS.Timeout | undefined;
  const why = await Promise.race([
    docker.ping().then(
      () => undefined,
      (err: unknown) => (err as { code?: string }).code ?? (err as Error).message.split('\n')[0] ?? 'no answer',
    ),
    new Promise<string>((r) => (timer = setTimeout(() => r(`no answer within ${timeoutMs / 1000} s`), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (why !== undefined) {
    throw new NotConfiguredError(`no Docker engine answers at ${where} (${why}): start Docker, or point DOCKER_HOST at one, and run cid local again`);
  }
}
