// Ajv validators for request bodies and response bodies of the fixture's operations.
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { JsonSchema } from './openapi-fixture.ts';
import { loadOperationsFixture } from './openapi-fixture.ts';

const FIXTURE_ID = 'https://cid.invalid/github-openapi-operations.json';
const DEFINITIONS_ID = `${FIXTURE_ID}/definitions`;

export interface SchemaIssue {
  /** JSON pointer into the body, e.g. /output/annotations/0/start_line */
  path: string;
  message: string;
  keyword: string;
  params: Record<string, unknown>;
}

export interface ValidationResult {
  valid: boolean;
  issues: SchemaIssue[];
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function isUri(s: string): boolean {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

function formatsIn(schema: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) formatsIn(s, found);
  else if (schema !== null && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'format' && typeof v === 'string') found.add(v);
      else formatsIn(v, found);
    }
  }
  return found;
}

/**
 * GitHub ignores body fields it does not know, but for a test fake an unknown field is almost
 * always a typo that would silently do nothing in production, so we close the body's own objects.
 * Subschemas under combinators are left open: closing them would reject valid bodies.
 */
function closeObjects(schema: JsonSchema): JsonSchema {
  if (typeof schema === 'boolean') return schema;
  const out: Record<string, unknown> = { ...schema };
  if (out.properties && typeof out.properties === 'object' && !('additionalProperties' in out)) {
    out.additionalProperties = false;
  }
  if (out.properties && typeof out.properties === 'object') {
    out.properties = Object.fromEntries(
      Object.entries(out.properties as Record<string, JsonSchema>).map(([k, v]) => [k, closeObjects(v)]),
    );
  }
  if (out.items && typeof out.items === 'object' && !Array.isArray(out.items)) {
    out.items = closeObjects(out.items as JsonSchema);
  }
  return out;
}

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function getAjv(): Ajv {
  if (ajv) return ajv;
  const fixture = loadOperationsFixture();
  // strict off: the fixture keeps OpenAPI keywords Ajv does not know; allErrors so a 422 lists
  // every problem at once.
  ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true, inlineRefs: false });
  const known: Record<string, (s: string) => boolean> = {
    'date-time': (s) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)),
    date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s),
    uri: isUri,
    email: (s) => /^[^@\s]+@[^@\s]+$/.test(s),
  };
  for (const name of formatsIn(fixture, new Set())) {
    const check = known[name];
    ajv.addFormat(name, check ?? true);
  }
  // The component schemas are one shared document, so each is compiled once however many
  // operations use it.
  ajv.addSchema({ $id: DEFINITIONS_ID, definitions: fixture.definitions });
  return ajv;
}

/** Points an operation schema's #/definitions/... refs at the shared definitions document. */
function externaliseRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(externaliseRefs);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith('#/definitions/') ? `${DEFINITIONS_ID}${v}` : externaliseRefs(v),
    ]),
  );
}

function validatorFor(key: string, schema: JsonSchema): ValidateFunction {
  let v = compiled.get(key);
  if (!v) {
    const ajv = getAjv();
    v = ajv.compile({ $id: `${FIXTURE_ID}/${key}`, ...(externaliseRefs(toRoot(schema)) as Record<string, unknown>) });
    compiled.set(key, v);
  }
  return v;
}

function toRoot(schema: JsonSchema): Record<string, unknown> {
  return typeof schema === 'boolean' ? (schema ? {} : { not: {} }) : schema;
}

function issuesOf(errors: ErrorObject[] | null | undefined): SchemaIssue[] {
  return (errors ?? []).map((e) => ({
    path: e.instancePath,
    message: `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}${
      e.keyword === 'enum' ? ` (${JSON.stringify(e.params.allowedValues)})` : ''
    }${e.keyword === 'additionalProperties' ? `: ${String(e.params.additionalProperty)}` : ''}`,
    keyword: e.keyword,
    params: e.params as Record<string, unknown>,
  }));
}

export interface RequestValidationOptions {
  /** Accept body fields the schema does not name, as GitHub does. Default false. */
  allowUnknownFields?: boolean;
}

/** Validates a request body; `undefined` means the request had no body. */
export function validateRequestBody(
  operationId: string,
  body: unknown,
  options: RequestValidationOptions = {},
): ValidationResult {
  const op = loadOperationsFixture().operations[operationId];
  if (!op) throw new Error(`unknown operation ${operationId}`);
  if (!op.requestBody) return { valid: true, issues: [] };
  if (body === undefined) {
    if (!op.requestBody.required) return { valid: true, issues: [] };
    return { valid: false, issues: [{ path: '', message: 'a request body is required', keyword: 'required', params: {} }] };
  }
  const closed = !options.allowUnknownFields;
  const schema = closed ? closeObjects(op.requestBody.schema) : op.requestBody.schema;
  const validate = validatorFor(`${operationId}/request${closed ? '-closed' : ''}`, schema);
  const valid = validate(body);
  return { valid, issues: valid ? [] : issuesOf(validate.errors) };
}

/** Validates a response body the fake is about to send against GitHub's response schema. */
export function validateResponseBody(operationId: string, body: unknown): ValidationResult {
  const op = loadOperationsFixture().operations[operationId];
  if (!op) throw new Error(`unknown operation ${operationId}`);
  if (op.response.schema === null) return { valid: true, issues: [] };
  const validate = validatorFor(`${operationId}/response`, op.response.schema);
  const valid = validate(body);
  return { valid, issues: valid ? [] : issuesOf(validate.errors) };
}
