// The UI's port: 8080 as ocaml-ci-local has it, unless told otherwise. When 8080 is taken (by
// `npm start`, say) and no port was asked for, any free port will do: the URL is printed anyway.
import { createServer } from 'node:net';
import { ConflictError } from '../../lib/errors/index.ts';

export const DEFAULT_UI_PORT = 8080;

export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** The port to listen on (0: any free one), and a note when 8080 could not be had. */
export async function chooseUiPort(host: string, asked: number | undefined): Promise<{ port: number; note?: string }> {
  if (asked !== undefined) {
    if (asked !== 0 && !(await isPortFree(host, asked))) throw new ConflictError(`port ${asked} is in use: choose another with --port`);
    return { port: asked };
  }
  if (await isPortFree(host, DEFAULT_UI_PORT)) return { port: DEFAULT_UI_PORT };
  return { port: 0, note: `port ${DEFAULT_UI_PORT} is in use (npm start?), so the UI is on another port` };
}
