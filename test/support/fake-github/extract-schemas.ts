// Extracts, from the installed @octokit/openapi spec, just the operations the fake GitHub serves:
// route, path/query parameter names, request body schema and success response schema, with the
// referenced component schemas copied under `definitions`. The 13 MB spec is too slow to load in
// every test, so the result is committed as a fixture and a test keeps it in step with the spec.
//
//   npx tsx test/support/fake-github/extract-schemas.ts          # rewrite the fixture
//   npx tsx test/support/fake-github/extract-schemas.ts --check  # exit 1 if it is stale
//
// Schemas are converted from OpenAPI 3.0 to plain JSON Schema on the way (`nullable` becomes a
// null type or an anyOf), and annotations (descriptions, examples…) are dropped to keep it small.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { ExtractedOperation, HttpMethod, JsonSchema, OperationsFixture } from './openapi-fixture.ts';
import { OPERATIONS_FIXTURE_PATH } from './openapi-fixture.ts';

/** The operations the fake serves; the fixture holds exactly these. */
export const OPERATION_IDS = [
  'apps/get-authenticated',
  'apps/create-installation-access-token',
  'apps/get-installation',
  'apps/get-repo-installation',
  'apps/list-installations',
  'checks/create',
  'checks/update',
  'checks/get',
  'checks/list-for-ref',
  'repos/create-commit-status',
  'issues/create-comment',
  'issues/update-comment',
  'issues/list-comments',
  'repos/get-content',
  'git/get-tree',
  'git/get-commit',
  'repos/get-collaborator-permission-level',
  'users/get-authenticated',
  'repos/get',
  'pulls/get',
  'repos/download-tarball-archive',
] as const;

const SPEC_FILE = 'generated/api.github.com.json';
const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];

/** Schema keywords that only annotate; dropping them keeps the fixture small. */
const ANNOTATIONS = new Set([
  'description',
  'example',
  'examples',
  'title',
  'default',
  'readOnly',
  'writeOnly',
  'deprecated',
  'discriminator',
  'externalDocs',
  'xml',
]);

interface SpecParameter {
  name: string;
  in: string;
  'x-multi-segment'?: boolean;
}
interface SpecMediaType {
  schema?: unknown;
}
interface SpecOperation {
  operationId?: string;
  parameters?: unknown[];
  requestBody?: { required?: boolean; content?: Record<string, SpecMediaType> };
  responses?: Record<string, { content?: Record<string, SpecMediaType> }>;
}
interface Spec {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown>; parameters: Record<string, unknown> };
}

export interface InstalledSpec {
  version: string;
  spec: Spec;
}

export function loadInstalledSpec(): InstalledSpec {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('@octokit/openapi/package.json');
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string };
  const spec = JSON.parse(readFileSync(join(dirname(pkgJson), SPEC_FILE), 'utf8')) as Spec;
  return { version, spec };
}

const COMPONENT_SCHEMA = '#/components/schemas/';

/** Converts one OpenAPI 3.0 schema to JSON Schema, rewriting refs and noting referenced components. */
function convertSchema(schema: unknown, refs: Set<string>): JsonSchema {
  if (typeof schema === 'boolean') return schema;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new Error(`not a schema: ${JSON.stringify(schema)}`);
  }
  const out: Record<string, unknown> = {};
  let nullable = false;
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    if (ANNOTATIONS.has(key) || key.startsWith('x-')) continue;
    switch (key) {
      case 'nullable':
        nullable = value === true;
        break;
      case '$ref': {
        const ref = String(value);
        if (!ref.startsWith(COMPONENT_SCHEMA)) throw new Error(`unsupported $ref ${ref}`);
        const name = ref.slice(COMPONENT_SCHEMA.length);
        refs.add(name);
        out.$ref = `#/definitions/${name}`;
        break;
      }
      case 'properties':
      case 'patternProperties':
        out[key] = Object.fromEntries(
          Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, convertSchema(v, refs)]),
        );
        break;
      case 'items':
      case 'additionalProperties':
      case 'not':
        out[key] = Array.isArray(value) ? value.map((v) => convertSchema(v, refs)) : convertSchema(value, refs);
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        out[key] = (value as unknown[]).map((v) => convertSchema(v, refs));
        break;
      default:
        out[key] = value;
    }
  }
  if (!nullable) return out;
  // A plain typed schema can just admit null; anything built from refs or combinators (whose
  // parts would reject null) is wrapped instead.
  const composite = '$ref' in out || 'allOf' in out || 'anyOf' in out || 'oneOf' in out;
  if (typeof out.type === 'string' && !composite) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [{ type: 'null' }, out] };
}

function resolveParameter(spec: Spec, p: unknown): SpecParameter {
  const ref = (p as { $ref?: string }).$ref;
  if (ref === undefined) return p as SpecParameter;
  const prefix = '#/components/parameters/';
  if (!ref.startsWith(prefix)) throw new Error(`unsupported parameter $ref ${ref}`);
  const resolved = spec.components.parameters[ref.slice(prefix.length)];
  if (resolved === undefined) throw new Error(`dangling parameter $ref ${ref}`);
  return resolved as SpecParameter;
}

/** The JSON flavour of a content map: application/json if present, else the first with a schema. */
function jsonSchemaOf(content: Record<string, SpecMediaType> | undefined): unknown {
  if (!content) return undefined;
  return content['application/json']?.schema ?? Object.values(content).find((m) => m.schema)?.schema;
}

export function extractOperations(installed: InstalledSpec, operationIds: readonly string[] = OPERATION_IDS): OperationsFixture {
  const { spec } = installed;
  const refs = new Set<string>();
  const operations: Record<string, ExtractedOperation> = {};
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method.toLowerCase()] as SpecOperation | undefined;
      if (!op?.operationId || !operationIds.includes(op.operationId)) continue;
      const params = (op.parameters ?? []).map((p) => resolveParameter(spec, p));
      const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
      const declared = params.filter((p) => p.in === 'path').map((p) => p.name);
      if (!isDeepStrictEqual([...declared].sort(), [...pathParams].sort())) {
        throw new Error(`${op.operationId}: path parameters ${declared} do not match ${path}`);
      }
      const bodySchema = jsonSchemaOf(op.requestBody?.content);
      const successStatus = Object.keys(op.responses ?? {})
        .filter((s) => /^[23]\d\d$/.test(s))
        .sort()[0];
      if (successStatus === undefined) throw new Error(`${op.operationId}: no success response`);
      const responseSchema = jsonSchemaOf(op.responses?.[successStatus]?.content);
      operations[op.operationId] = {
        operationId: op.operationId,
        method,
        path,
        pathParams,
        multiSegmentParams: params.filter((p) => p.in === 'path' && p['x-multi-segment'] === true).map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        requestBody:
          bodySchema === undefined
            ? null
            : { required: op.requestBody?.required === true, schema: convertSchema(bodySchema, refs) },
        response: {
          status: Number(successStatus),
          schema: responseSchema === undefined ? null : convertSchema(responseSchema, refs),
        },
      };
    }
  }
  const missing = operationIds.filter((id) => !(id in operations));
  if (missing.length > 0) throw new Error(`operations not in the spec: ${missing.join(', ')}`);

  // Copy the referenced components, following refs inside them until nothing new turns up.
  const definitions: Record<string, JsonSchema> = {};
  const pending = [...refs];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (name in definitions) continue;
    const component = spec.components.schemas[name];
    if (component === undefined) throw new Error(`dangling $ref to component ${name}`);
    const inner = new Set<string>();
    definitions[name] = convertSchema(component, inner);
    pending.push(...[...inner].filter((n) => !(n in definitions)));
  }

  const sortedOps = Object.fromEntries(operationIds.map((id) => [id, operations[id] as ExtractedOperation]));
  const sortedDefs = Object.fromEntries(Object.keys(definitions).sort().map((k) => [k, definitions[k] as JsonSchema]));
  return {
    source: { package: '@octokit/openapi', version: installed.version, file: SPEC_FILE },
    operations: sortedOps,
    definitions: sortedDefs,
  };
}

export function serializeFixture(fixture: OperationsFixture): string {
  return `${JSON.stringify(fixture, null, 1)}\n`;
}

function main(): void {
  const text = serializeFixture(extractOperations(loadInstalledSpec()));
  if (process.argv.includes('--check')) {
    const current = readFileSync(OPERATIONS_FIXTURE_PATH, 'utf8');
    if (current !== text) {
      console.error(`${OPERATIONS_FIXTURE_PATH} is stale; run npx tsx test/support/fake-github/extract-schemas.ts`);
      process.exit(1);
    }
    console.log('fixture up to date');
    return;
  }
  writeFileSync(OPERATIONS_FIXTURE_PATH, text);
  console.log(`wrote ${OPERATIONS_FIXTURE_PATH} (${text.length} bytes)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
