import type { OpenAPIObject } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { kebab } from './api-problems.decorator.js';

type Schema = Record<string, any>;
type Operation = Record<string, any>;

const BY_FORMAT: Record<string, unknown> = {
  uuid: '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e',
  'date-time': '2026-11-26T16:00:00.000Z',
  email: 'ada@example.com',
  'idn-email': 'ada@example.com',
  password: 'correct horse battery 42',
  uri: 'https://api.example.com/',
};

/**
 * Named examples for every operation, so that Swagger UI shows a whole request and a whole answer
 * (not one property at a time): the request body and each success are built from their schemas'
 * property examples (so they cannot drift from the DTOs, and Spectral checks them against the
 * schemas); the problems have theirs already (`problemResponse`), and a 400's names an input the
 * operation really takes.
 */
export function withExamples(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  const exampleOf = (schema: Schema, depth = 0): unknown => {
    if (schema.$ref) return exampleOf(schemas[String(schema.$ref).split('/').pop()!], depth);
    if (schema.example !== undefined) return schema.example;
    if (schema.enum) return schema.enum[0];
    if (schema.oneOf) return exampleOf(schema.oneOf[0], depth);
    if (schema.allOf) return Object.assign({}, ...schema.allOf.map((part: Schema) => exampleOf(part, depth)));
    if (depth > 6) return undefined;
    if (schema.type === 'object' || schema.properties)
      return Object.fromEntries(
        Object.entries((schema.properties ?? {}) as Record<string, Schema>).map(([name, property]) => [
          name,
          exampleOf(property, depth + 1),
        ]),
      );
    if (schema.type === 'array') return [exampleOf(schema.items ?? {}, depth + 1)];
    if (schema.nullable) return null;
    if (schema.type === 'string') return BY_FORMAT[schema.format] ?? 'text';
    if (schema.type === 'integer' || schema.type === 'number') return schema.minimum ?? 1;
    if (schema.type === 'boolean') return false;
    return undefined;
  };

  for (const [path, item] of Object.entries(document.paths))
    for (const operation of Object.values(item) as Operation[]) {
      if (!operation?.responses) continue;
      // Every path parameter is an id (a UUID).
      setInstance(operation, path.replace(/\{\w+\}/g, String(BY_FORMAT.uuid)));
      const body = operation.requestBody?.content?.['application/json'];
      if (body?.schema && !body.examples)
        body.examples = { request: { summary: operation.summary, value: exampleOf(body.schema) } };
      for (const [status, response] of Object.entries(operation.responses as Record<string, Operation>)) {
        if (status.startsWith('2'))
          for (const media of Object.values((response.content ?? {}) as Record<string, Schema>))
            if (media.schema?.oneOf && !media.examples)
              media.examples = alternatives(media.schema.oneOf as Schema[], exampleOf);
            else if (media.schema && !media.examples && !media.example)
              media.examples = {
                [kebab(STATUS_CODES[Number(status)] ?? status)]: {
                  summary: response.description,
                  value: exampleOf(media.schema),
                },
              };
      }
      blameARealInput(operation, schemas);
    }
  return document;
}

/** Each problem example's `instance` is the operation's own path. */
function setInstance(operation: Operation, path: string): void {
  for (const response of Object.values(operation.responses as Record<string, Operation>))
    for (const example of Object.values(response.content?.['application/problem+json']?.examples ?? {}) as {
      value: Record<string, unknown>;
    }[])
      example.value = { ...example.value, instance: path };
}

/** The 400's example names the operation's first body member, else its first parameter. */
function blameARealInput(operation: Operation, schemas: Record<string, Schema>): void {
  const examples = operation.responses['400']?.content?.['application/problem+json']?.examples;
  if (!examples) return;
  const body = operation.requestBody?.content?.['application/json']?.schema as Schema | undefined;
  const bodySchema = body?.$ref ? schemas[String(body.$ref).split('/').pop()!] : body;
  const member = bodySchema?.required?.[0] ?? Object.keys(bodySchema?.properties ?? {})[0];
  const parameter = (operation.parameters as { name: string; in: string }[] | undefined)?.find(
    (p) => p.in === 'query' || p.in === 'path',
  )?.name;
  const blamed = member
    ? { pointer: `#/${member}`, detail: `${member} is not valid` }
    : parameter
      ? { parameter, detail: `${parameter} is not valid` }
      : undefined;
  for (const example of Object.values(examples) as { value: Record<string, unknown> }[])
    if (blamed) example.value = { ...example.value, errors: [blamed] };
    else delete example.value.errors;
}

/** One named example per alternative of a `oneOf` answer: `TokenPairDto` is `token-pair`. */
function alternatives(oneOf: Schema[], exampleOf: (schema: Schema) => unknown) {
  return Object.fromEntries(
    oneOf.map((alternative) => {
      const name = String(alternative.$ref ?? 'alternative')
        .split('/')
        .pop()!
        .replace(/Dto$/, '');
      const slug = kebab(name.replace(/([a-z])([A-Z])/g, '$1 $2'));
      return [slug, { summary: name.replace(/([a-z])([A-Z])/g, '$1 $2'), value: exampleOf(alternative) }];
    }),
  );
}
