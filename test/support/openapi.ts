import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { call, type HttpResult } from './http';

export const OPENAPI_PATH = join(__dirname, '..', '..', 'docs', 'openapi.yaml');

// Any absolute URI: the whole document is registered under it, so every '#/components/...'
// reference resolves against the document it was written in.
const SPEC_ID = 'https://jwt-auth.invalid/openapi.yaml';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
// Top-level members of an OpenAPI document: not JSON Schema keywords, so ajv must not reject them.
const OPENAPI_MEMBERS = ['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs'];

type Json = Record<string, any>;
type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export interface SpecOperation {
  readonly method: string;
  readonly path: string;
  readonly operationId: string;
  /** The documented statuses, e.g. ['200', '400']. */
  readonly statuses: readonly string[];
  /** The first documented 2xx status. */
  readonly successStatus: number;
}

export interface OpenApiSpec {
  readonly document: Json;
  readonly operations: readonly SpecOperation[];
  /**
   * Problems of one real response against the spec (empty when it conforms): the operation is
   * found by method and path (a template such as `/auth/sessions/{id}` or a concrete path), the
   * status must be documented for it, the JSON body must match its schema (or be absent when
   * none is documented) and the declared headers must be present when required and valid.
   */
  validateResponse(method: string, path: string, status: number, body: unknown, headers?: HeaderSource): string[];
  /** `METHOD /template STATUS` of every response that conformed so far. */
  readonly exercised: ReadonlySet<string>;
}

const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const pointerOf = (...segments: string[]) => `/${segments.map(escapePointer).join('/')}`;

/** Loads docs/openapi.yaml (or another document) and compiles validators for its responses. */
export function loadOpenApi(file = OPENAPI_PATH): OpenApiSpec {
  const document = parse(readFileSync(file, 'utf8')) as Json;
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  // Header values are text: "30" must pass as `type: integer`.
  const headerAjv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, coerceTypes: true });
  for (const instance of [ajv, headerAjv]) {
    addFormats(instance);
    instance.addVocabulary(OPENAPI_MEMBERS);
    instance.addSchema({ ...document, $id: SPEC_ID });
  }

  /** Follows `$ref`s between OpenAPI objects (responses, headers), keeping the JSON pointer of the target. */
  const resolve = (pointer: string, value: Json): { pointer: string; value: Json } => {
    const seen = new Set<string>();
    while (typeof value?.$ref === 'string') {
      const ref: string = value.$ref;
      if (!ref.startsWith('#/') || seen.has(ref)) throw new Error(`unsupported or circular $ref ${ref} at ${pointer}`);
      seen.add(ref);
      pointer = ref.slice(1);
      value = pointer
        .split('/')
        .slice(1)
        .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<Json>((node, segment) => node?.[segment], document);
      if (value === undefined) throw new Error(`$ref ${ref} points to nothing`);
    }
    return { pointer, value };
  };

  const validators = new Map<string, ValidateFunction>();
  const validatorAt = (instance: Ajv2020, pointer: string): ValidateFunction => {
    const key = `${instance === ajv ? 'body' : 'header'}${pointer}`;
    let validate = validators.get(key);
    if (!validate) {
      validate = instance.compile({ $ref: `${SPEC_ID}#${pointer.split('/').map(encodeURIComponent).join('/')}` });
      validators.set(key, validate);
    }
    return validate;
  };
  const describeErrors = (validate: ValidateFunction) =>
    (validate.errors ?? []).map((error) => `${error.instancePath || '(root)'} ${error.message}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`).join('; ');

  const paths = (document.paths ?? {}) as Record<string, Json>;
  const templates = Object.keys(paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  const templateOf = (path: string) => (path in paths ? path : templates.find(({ pattern }) => pattern.test(path))?.template);

  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      const statuses = Object.keys(operation.responses ?? {});
      const success = statuses.find((status) => /^2\d\d$/.test(status));
      operations.push({ method: method.toUpperCase(), path, operationId: operation.operationId, statuses, successStatus: Number(success) });
    }
  }

  const headerValues = (headers: HeaderSource | undefined, name: string): string[] => {
    if (!headers) return [];
    if (headers instanceof Headers) {
      if (name === 'set-cookie') return headers.getSetCookie();
      const value = headers.get(name);
      return value === null ? [] : [value];
    }
    const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
    return entry === undefined ? [] : Array.isArray(entry) ? entry : [entry];
  };

  const exercised = new Set<string>();

  function validateResponse(method: string, path: string, status: number, body: unknown, headers?: HeaderSource): string[] {
    const concretePath = path.split('?')[0]!;
    const template = templateOf(concretePath);
    if (!template) return [`no path of the spec matches ${concretePath}`];
    const verb = method.toLowerCase();
    const operation = paths[template]![verb] as Json | undefined;
    const where = `${method.toUpperCase()} ${template}`;
    if (!operation) return [`${where} is not in the spec`];
    const documented = operation.responses ?? {};
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((candidate) => candidate in documented);
    if (!key) return [`${where} does not document status ${status} (documented: ${Object.keys(documented).join(', ')})`];
    const response = resolve(pointerOf('paths', template, verb, 'responses', key), documented[key]);
    const problems: string[] = [];
    const label = `${where} ${status}`;

    const content = response.value.content as Json | undefined;
    if (!content) {
      if (body !== undefined) problems.push(`${label}: documents no body, got ${JSON.stringify(body)}`);
    } else {
      const contentType = headerValues(headers, 'content-type')[0]?.split(';')[0]?.trim().toLowerCase();
      const mediaType = contentType ?? 'application/json';
      if (!(mediaType in content)) problems.push(`${label}: Content-Type ${contentType} is not documented (${Object.keys(content).join(', ')})`);
      else if (body === undefined) problems.push(`${label}: a ${mediaType} body is documented, got none (or one that is not JSON)`);
      else if (content[mediaType].schema) {
        const validate = validatorAt(ajv, `${response.pointer}${pointerOf('content', mediaType, 'schema')}`);
        if (!validate(body)) problems.push(`${label}: body does not match: ${describeErrors(validate)}`);
      }
    }

    for (const [name, declared] of Object.entries((response.value.headers ?? {}) as Json)) {
      const header = resolve(`${response.pointer}${pointerOf('headers', name)}`, declared);
      const values = headerValues(headers, name.toLowerCase());
      if (values.length === 0) {
        if (header.value.required) problems.push(`${label}: required header ${name} is missing`);
        continue;
      }
      if (!header.value.schema) continue;
      const validate = validatorAt(headerAjv, `${header.pointer}/schema`);
      for (const value of values) {
        if (!validate(value)) problems.push(`${label}: header ${name}: ${JSON.stringify(value)} ${describeErrors(validate)}`);
      }
    }

    if (problems.length === 0) exercised.add(`${method.toUpperCase()} ${template} ${status}`);
    return problems;
  }

  return { document, operations, validateResponse, exercised };
}

/**
 * Sends requests to the server at `base()` and expects each to answer `status` with a response
 * that conforms to `spec`; on another status the failure shows the body.
 */
export function conformingCaller(spec: OpenApiSpec, base: () => string) {
  return async (status: number, method: string, path: string, options: Parameters<typeof call>[3] = {}): Promise<HttpResult> => {
    const result = await call(base(), method, path, options);
    const problems = spec.validateResponse(method, path, result.status, result.body, result.headers);
    expect({ path, status: result.status, body: result.status === status ? 'ok' : result.body, problems }).toEqual({ path, status, body: 'ok', problems: [] });
    return result;
  };
}
