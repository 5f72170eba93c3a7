// The committed extract of GitHub's OpenAPI spec (see extract-schemas.ts) and its types.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export type JsonSchema = boolean | Record<string, unknown>;

export interface ExtractedOperation {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path template, e.g. /repos/{owner}/{repo}/check-runs */
  path: string;
  pathParams: string[];
  /** Path parameters that may contain slashes (a file path, a ref like refs/heads/main). */
  multiSegmentParams: string[];
  queryParams: string[];
  requestBody: { required: boolean; schema: JsonSchema } | null;
  /** The first success response; schema is null when it has no body (e.g. a 302). */
  response: { status: number; schema: JsonSchema | null };
}

export interface OperationsFixture {
  source: { package: string; version: string; file: string };
  operations: Record<string, ExtractedOperation>;
  /** Component schemas referenced as #/definitions/<name> from the operations and each other. */
  definitions: Record<string, JsonSchema>;
}

export const OPERATIONS_FIXTURE_PATH = fileURLToPath(
  new URL('../../fixtures/github/openapi-operations.json', import.meta.url),
);

let cached: OperationsFixture | undefined;

export function loadOperationsFixture(): OperationsFixture {
  cached ??= JSON.parse(readFileSync(OPERATIONS_FIXTURE_PATH, 'utf8')) as OperationsFixture;
  return cached;
}

export function getOperation(operationId: string): ExtractedOperation {
  const op = loadOperationsFixture().operations[operationId];
  if (!op) throw new Error(`operation ${operationId} is not in the fixture; add it to extract-schemas.ts`);
  return op;
}
