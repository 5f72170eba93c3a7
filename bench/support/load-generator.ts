// Runs in its own process so that the client does not share an event loop with the server it
// measures. Input (a JSON file named by argv[2]): { clients: Request[][] }; each client sends its
// requests in order, all clients at once. Prints one JSON line: latencies and failures.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

interface Req {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  expect: number[];
}

const input = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as { clients: Req[][] };
const dispatcher = new Agent({ connections: input.clients.length, pipelining: 1 });
const latencies: number[] = [];
const failures: string[] = [];

const t0 = performance.now();
await Promise.all(
  input.clients.map(async (reqs) => {
    for (const r of reqs) {
      const start = performance.now();
      try {
        const res = await request(r.url, { method: r.method as 'GET', headers: r.headers, body: r.body, dispatcher });
        const text = await res.body.text();
        latencies.push(performance.now() - start);
        if (!r.expect.includes(res.statusCode)) failures.push(`${r.method} ${r.url} → ${res.statusCode} ${text.slice(0, 200)}`);
      } catch (err) {
        latencies.push(performance.now() - start);
        failures.push(`${r.method} ${r.url} → ${(err as Error).message}`);
      }
    }
  }),
);
const wallMs = performance.now() - t0;
await dispatcher.close();
process.stdout.write(JSON.stringify({ wallMs, latencies, failures: failures.slice(0, 20), failureCount: failures.length }) + '\n');
