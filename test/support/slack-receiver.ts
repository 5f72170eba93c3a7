// A stand-in for Slack's incoming webhooks on loopback: records every POST and answers as told
// (200 "ok" by default; a queue of failures to simulate an outage or rate limits).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackRequest {
  at: number;
  body: Record<string, any>;
  status: number;
}

export interface SlackAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Never answer (a hung connection). */
  hang?: boolean;
}

export interface SlackReceiver {
  url: string;
  requests: SlackRequest[];
  /** Answers for the next requests, in order; then 200 ok. */
  answers: SlackAnswer[];
  /** Requests that got a 200. */
  delivered(): Array<Record<string, any>>;
  close(): Promise<void>;
}

export async function startSlackReceiver(): Promise<SlackReceiver> {
  const requests: SlackRequest[] = [];
  const answers: SlackAnswer[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const a = answers.shift() ?? { status: 200, body: 'ok' };
      let body: Record<string, any> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>;
      } catch {
        body = { unparsable: Buffer.concat(chunks).toString('utf8') };
      }
      requests.push({ at: Date.now(), body, status: a.status });
      if (a.hang) return;
      res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers });
      res.end(a.body ?? (a.status === 200 ? 'ok' : 'error'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/secret`,
    requests,
    answers,
    delivered: () => requests.filter((r) => r.status === 200).map((r) => r.body),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
