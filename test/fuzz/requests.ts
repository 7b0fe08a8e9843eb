import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Requests for every operation of openapi.json, as fast-check arbitraries: valid ones built from
 * the document's schemas, and hostile ones (wrong types, missing and extra members, boundary and
 * over-long strings, huge numbers, deep nesting, `__proto__` keys, duplicate keys, NUL bytes, lone
 * surrogates, full-width letters, right-to-left marks), with and without valid tokens.
 */
export type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  allOf?: Schema[];
  items?: Schema;
  maxItems?: number;
};
interface Parameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  schema: Schema;
}
export interface Operation {
  id: string;
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
  /** No access token needed (no `bearer` security requirement in the document). */
  isPublic: boolean;
  /** Some role may not use it (it documents a 403). */
  roleRestricted: boolean;
  /** It acts in the organization its path names (`x-organization-permission`): members only. */
  organizationScoped: boolean;
  /** The statuses the document gives it. */
  statuses: number[];
}
export type Caller = 'anonymous' | 'user' | 'admin' | 'garbage';
export interface FuzzRequest {
  method: string;
  /** The operation's path template (`/api/v1/users/{id}`). */
  template: string;
  /** With path and query filled in, percent-encoded. */
  url: string;
  /** The body as sent: JSON text (possibly malformed on purpose), or none. */
  body?: string;
  caller: Caller;
  /** What the request was built to be, for the report of a failing case. */
  kind: string;
  /**
   * Why no server may accept it, when that is certain from how it was built (malformed JSON, a
   * member the operation does not take, a required one missing, a value of the wrong type, a path
   * id that is not a UUID, a query parameter it does not take…): it must get a 400 once the caller
   * is let in. Undefined when it may be valid (hostile-looking text is often acceptable text).
   */
  invalid?: string;
}

const doc = JSON.parse(readFileSync(path.resolve('openapi.json'), 'utf8'));
const METHODS = ['get', 'post', 'patch', 'put', 'delete'];

export const operations: Operation[] = Object.entries(doc.paths as Record<string, any>).flatMap(
  ([route, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({
      id: item[m].operationId as string,
      method: m.toUpperCase(),
      path: route,
      parameters: (item[m].parameters ?? []) as Parameter[],
      body: item[m].requestBody?.content?.['application/json']?.schema,
      // Only the access token closes a route here: METRICS_TOKEN, the other scheme, is unset in tests.
      isPublic: !(item[m].security ?? []).some((requirement: object) => 'bearer' in requirement),
      // Only a 403 of type `forbidden` is about the caller's role; others are about the account
      // (a suspended one, an address not verified yet).
      roleRestricted: Object.values(
        item[m].responses['403']?.content?.['application/problem+json']?.examples ?? {},
      ).some((example: any) => example.value?.type === '/problems/forbidden'),
      organizationScoped: item[m]['x-organization-permission'] !== undefined,
      statuses: Object.keys(item[m].responses).map(Number),
    })),
);

export function resolve(schema: Schema): Schema {
  if (schema.$ref)
    return resolve(
      schema.$ref
        .split('/')
        .slice(1)
        .reduce((node: any, key) => node[key], doc),
    );
  if (schema.allOf?.length === 1) return resolve(schema.allOf[0]);
  return schema;
}

// ------------------------------------------------------------------ odd but valid-looking text
const RTL = '\u202e';
const fullWidth = (s: string) => s.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const oddUnicode = fc.constantFrom(
  'Ｆｕｌｌ　Ｗｉｄｔｈ',
  `${RTL}evil${RTL}`,
  'e\u0301\u0301\u0301',
  '💥🧨',
  '\u200b\u200c\u200d',
  '\ufeffbom',
  'Ω≈ç√∫˜µ≤≥÷',
);
const unicodeEmail = fc.constantFrom(
  `${fullWidth('ada')}@example.com`,
  `ada${RTL}@example.com`,
  'jose\u0301@example.com',
  'ÄDA@Example.COM',
  ' spaced@example.com ',
  'δοκιμή@παράδειγμα.δοκιμή',
);

function stringFor(schema: Schema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 300, 300);
  if (schema.enum) return fc.constantFrom(...(schema.enum as string[]));
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'idn-email':
    case 'email':
      return fc.oneof(fc.emailAddress(), unicodeEmail);
    case 'date-time':
      return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  }
  if (schema.pattern) {
    return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && s.length <= max);
  }
  return fc.oneof(
    fc.string({ minLength: min, maxLength: max }),
    fc.string({ unit: 'grapheme', minLength: Math.max(min, 1), maxLength: Math.min(max, 40) }),
    oddUnicode,
  );
}

/** A value the schema accepts (as far as the document says). */
export function validValue(schema: Schema): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  switch (s.type) {
    case 'string':
      return stringFor(s);
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'object': {
      const props = Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([k, v]) => [k, validValue(v)]),
      );
      return fc.record(props, { requiredKeys: s.required ?? [] });
    }
    default:
      return fc.anything();
  }
}

/** Values no schema here accepts in any string or number member. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1e308,
    -1e308,
    2 ** 53 + 1,
    Number.MAX_SAFE_INTEGER,
    '',
    ' ',
    '\u0000',
    'nul\u0000inside',
    '\ud800',
    'lone \udfff surrogate',
    'x'.repeat(300),
    'y'.repeat(10_000),
    "'; DROP TABLE users; --",
    '{"$gt": ""}',
    '../../etc/passwd',
    '%00',
    '${jndi:ldap://x}',
    [],
    {},
    [1, 'two', null],
    { nested: { deeper: [1] } },
  ),
  oddUnicode,
  fc.string({ maxLength: 50 }),
  fc.integer(),
  fc.double(),
);

const deepNesting = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/**
 * Why `value` cannot be valid for `schema`, when that is certain whatever the server's own rules
 * add (trimming, normalising): null where the DTOs take none, the wrong JSON type, a value outside
 * an enum or a range, text far over its length or not text at all. Undefined when it may be valid.
 */
export function violation(schema: Schema, value: unknown): string | undefined {
  const s = resolve(schema);
  if (value === undefined) return undefined;
  if (value === null) return 'null';
  // The body's parser refuses text that is not text wherever it is, whatever the member's type.
  if (containsNonText(value)) return 'text that is not text';
  switch (s.type) {
    case 'string': {
      if (typeof value !== 'string') return `a ${Array.isArray(value) ? 'list' : typeof value} for a string`;
      if (s.enum && !s.enum.includes(value)) return 'a value outside the enum';
      if (s.maxLength !== undefined && [...value].length > s.maxLength * 2)
        return 'a string far over maxLength';
      if (s.format === 'uuid' && !UUID.test(value)) return 'a string that is not a UUID';
      return undefined;
    }
    case 'integer':
    case 'number':
      if (typeof value !== 'number') return `a ${typeof value} for a number`;
      if (s.type === 'integer' && !Number.isInteger(value)) return 'a fraction for an integer';
      if ((s.minimum !== undefined && value < s.minimum) || (s.maximum !== undefined && value > s.maximum))
        return 'a number out of range';
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `a ${typeof value} for a boolean`;
    case 'object':
      return typeof value === 'object' && !Array.isArray(value) ? undefined : 'not an object';
    case 'array':
      if (!Array.isArray(value)) return `a ${typeof value} for a list`;
      return s.items ? value.map((item) => violation(s.items!, item)).find(Boolean) : undefined;
    default:
      return undefined;
  }
}

/** A NUL or an unpaired surrogate in any string of the value, keys included. */
function containsNonText(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000') || !value.isWellFormed();
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([key, member]) => containsNonText(key) || containsNonText(member));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Request bodies as JSON text: valid ones, and each kind of damage, said when certain (`invalid`). */
function bodies(schema: Schema): fc.Arbitrary<{ body: string; kind: string; invalid?: string }> {
  const s = resolve(schema);
  const valid = validValue(s) as fc.Arbitrary<Record<string, unknown>>;
  const keys = Object.keys(s.properties ?? {});
  const required = new Set(s.required ?? []);
  const json = (kind: string) => (value: unknown) => ({ body: JSON.stringify(value), kind });
  const memberViolation = (key: string, value: unknown) =>
    s.properties?.[key] ? violation(s.properties[key], value) : 'a member the operation does not take';
  return fc.oneof(
    valid.map(json('valid body')),
    fc.tuple(valid, fc.constantFrom(...(keys.length ? keys : ['x']))).map(([v, key]) => {
      const { [key]: _dropped, ...rest } = v;
      return {
        body: JSON.stringify(rest),
        kind: `body without ${key}`,
        invalid: required.has(key) ? `the required ${key} missing` : undefined,
      };
    }),
    fc
      .tuple(
        valid,
        fc.constantFrom('role', 'emailVerified', 'id', 'passwordHash', 'isAdmin', 'extra'),
        hostileValue,
      )
      .map(([v, key, value]) => ({
        body: JSON.stringify({ ...v, [key]: value }),
        kind: `extra member ${key}`,
        invalid: memberViolation(key, value),
      })),
    fc
      .tuple(valid, fc.constantFrom(...(keys.length ? keys : ['x'])), hostileValue)
      .map(([v, key, value]) => ({
        body: JSON.stringify({ ...v, [key]: value }),
        kind: `hostile ${key}`,
        invalid: memberViolation(key, JSON.parse(JSON.stringify(value) ?? 'null')),
      })),
    fc.tuple(valid, fc.constantFrom('__proto__', 'constructor', 'prototype')).map(([v, key]) => ({
      body: `{"${key}": {"role": "admin", "isAdmin": true},${JSON.stringify(v).slice(1)}`,
      kind: `${key} member`,
      invalid: `a ${key} member`,
    })),
    fc.tuple(valid, fc.constantFrom(...(keys.length ? keys : ['x'])), hostileValue).map(([v, key, value]) => {
      const rest = JSON.stringify(v).slice(1);
      return {
        body: `{${JSON.stringify(key)}: ${JSON.stringify(value) ?? 'null'}${rest === '}' ? '' : ','}${rest}`,
        kind: `duplicate ${key}`,
        // The last of two equal keys wins, as in JSON.parse: with the key in the valid body too, the
        // body is the valid one; without, the hostile value is the member's.
        invalid: key in v ? undefined : memberViolation(key, JSON.parse(JSON.stringify(value) ?? 'null')),
      };
    }),
    hostileValue.map((value) => ({
      ...json('hostile whole body')(value),
      invalid: violation(s, JSON.parse(JSON.stringify(value) ?? 'null')),
    })),
    fc.integer({ min: 100, max: 5_000 }).map((depth) => ({
      body: deepNesting(depth),
      kind: 'deep nesting',
      invalid: 'nested too deep',
    })),
    fc.constantFrom('{', '{"a":', 'nul\u0000', '\ud800', '{"a": 1}}', 'true false').map((body) => ({
      body,
      kind: 'malformed JSON',
      invalid: 'not JSON',
    })),
  );
}

/**
 * A path parameter is never empty, "." or "..": those address another resource (the collection, or
 * a parent once the URL parser removes dot segments), so no answer of this operation is expected.
 */
function pathValue(schema: Schema): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 3, arbitrary: validValue(schema).map(String) },
      hostileValue.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined'))),
    )
    .filter((v) => !['', '.', '..'].includes(v));
}

function queryValue(schema: Schema): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    validValue(schema).map(String),
    hostileValue.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))),
  );
}

/**
 * A query value is text: whether it can be valid is certain only for integers (decimal digits in
 * range) and enums; text parameters may be anything.
 */
function queryViolation(schema: Schema, value: string | undefined): boolean {
  if (value === undefined) return false;
  const s = resolve(schema);
  if (value.includes('\u0000') || !value.isWellFormed()) return true;
  if (s.type === 'integer' || s.type === 'number')
    return (
      !/^\d+$/.test(value) || Number(value) < (s.minimum ?? 0) || Number(value) > (s.maximum ?? Infinity)
    );
  if (s.enum) return !s.enum.includes(value);
  return s.maxLength !== undefined && [...value].length > s.maxLength * 2;
}

/** Percent-encoded; a lone surrogate becomes the bytes of one (%ED%A0%80), which is not UTF-8. */
function encodePathSegment(value: string): string {
  if (value.isWellFormed()) return encodeURIComponent(value);
  return encodeURIComponent(value.toWellFormed()).replaceAll('%EF%BF%BD', '%ED%A0%80');
}

/** Any request to `operation`, from any kind of caller. */
export function requestTo(operation: Operation, ids: fc.Arbitrary<string>): fc.Arbitrary<FuzzRequest> {
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  return fc
    .record({
      path: fc.tuple(
        ...pathParams.map((p) =>
          p.schema.format === 'uuid' ? fc.oneof(ids, pathValue(p.schema)) : pathValue(p.schema),
        ),
      ),
      query: fc.tuple(...queryParams.map((p) => queryValue(p.schema))),
      extraQuery: fc.option(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 10 }), {
          maxKeys: 3,
        }),
      ),
      body: operation.body ? fc.option(bodies(operation.body), { freq: 8 }) : fc.constant(null),
      caller: fc.constantFrom<Caller>('anonymous', 'user', 'admin', 'garbage'),
    })
    .map(({ path: values, query, extraQuery, body, caller }) => {
      let url = operation.path;
      pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, encodePathSegment(values[i]))));
      const search = new URLSearchParams();
      queryParams.forEach((p, i) => query[i] !== undefined && search.append(p.name, query[i]!));
      for (const [k, v] of Object.entries(extraQuery ?? {})) search.append(k, v);
      const qs = search.toString();
      const invalid =
        pathParams
          .map(
            (p, i) =>
              p.schema.format === 'uuid' && !UUID.test(values[i]) && `the path's ${p.name} not a UUID`,
          )
          .find(Boolean) ||
        (Object.keys(extraQuery ?? {}).length > 0 && 'a query parameter the operation does not take') ||
        queryParams
          .map((p, i) => queryViolation(p.schema, query[i]) && `the query's ${p.name}`)
          .find(Boolean) ||
        (operation.body && !body && (resolve(operation.body).required ?? []).length > 0 && 'no body') ||
        body?.invalid;
      return {
        method: operation.method,
        template: operation.path,
        url: qs ? `${url}?${qs}` : url,
        body: body?.body,
        caller,
        kind: body?.kind ?? 'no body',
        invalid: invalid || undefined,
      };
    });
}
