// The contract between the server and the per-area operation handlers.
import type { IncomingHttpHeaders } from 'node:http';
import type { Credentials, RepoRequirement } from '../access.ts';
import type { ShapeContext } from '../shapes.ts';
import type { FakeRepo } from '../state.ts';
import type { FakeWorld } from '../world.ts';

export interface HandlerContext {
  world: FakeWorld;
  shapes: ShapeContext;
  /** Decoded path parameters. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, already validated against the operation's schema. */
  body: unknown;
  creds: Credentials;
  /** Server origin (http://127.0.0.1:port), for links outside the API such as downloads. */
  origin: string;
  /** The URL as requested, for pagination links. */
  url: URL;
}

export interface RepoHandlerContext extends HandlerContext {
  repo: FakeRepo;
}

export interface HandlerResult {
  status: number;
  /** JSON body; omitted for empty responses. */
  body?: unknown;
  /** A non-JSON body (raw file content). */
  raw?: { data: Buffer; contentType: string };
  headers?: Record<string, string>;
}

export type OperationHandler =
  | { auth: 'app'; handle(ctx: HandlerContext): HandlerResult }
  | { auth: 'user'; handle(ctx: HandlerContext): HandlerResult }
  | { auth: 'repo'; need: RepoRequirement; handle(ctx: RepoHandlerContext): HandlerResult };

export type HandlerTable = Record<string, OperationHandler>;
