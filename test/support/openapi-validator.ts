import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

/** Problem details may carry extension members (RFC 9457 §3.2); every other object is exact. */
const OPEN_SCHEMAS = new Set(['ProblemDetailsDto']);

/**
 * Checks a response against an OpenAPI document (the one the app under test serves, or the
 * committed openapi.json): the status must be
 * documented for the operation, the content type must be the documented one, and the body must
 * match its schema, with no member the document does not name.
 */
export class OpenApiValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly operations: Operation[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  static fromFile(file = path.resolve('openapi.json')): OpenApiValidator {
    return new OpenApiValidator(JSON.parse(readFileSync(file, 'utf8')));
  }

  constructor(document: any) {
    for (const [name, schema] of Object.entries<Record<string, unknown>>(document.components.schemas)) {
      if (!OPEN_SCHEMAS.has(name) && schema.type === 'object') schema.additionalProperties = false;
    }
    addFormats(this.ajv);
    // ajv-formats has no idn-email (RFC 6531): one @, no spaces, something either side.
    this.ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
    this.ajv.addSchema(document, 'openapi.json');
    for (const [template, item] of Object.entries<Record<string, any>>(document.paths)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}/?$`);
      for (const [method, operation] of Object.entries<any>(item)) {
        this.operations.push({
          method: method.toUpperCase(),
          template,
          pattern,
          responses: operation.responses,
        });
      }
    }
  }

  /** The problems with this response; none for paths and methods the document does not describe. */
  check(method: string, url: string, status: number, contentType: string | null, text: string): string[] {
    const pathname = new URL(url, 'http://x').pathname;
    const operation = this.operations.find((o) => o.method === method && o.pattern.test(pathname));
    if (!operation) return [];
    const where = `${method} ${operation.template} → ${status}`;
    const response = operation.responses[String(status)];
    if (!response) return [`${where}: status not documented`];
    if (!response.content)
      return text === '' ? [] : [`${where}: documented without a body, got ${text.slice(0, 100)}`];
    const mediaType = Object.keys(response.content).find((type) => contentType?.startsWith(type));
    if (!mediaType)
      return [`${where}: content type ${contentType} is not ${Object.keys(response.content).join(', ')}`];
    const validate = this.validatorFor(operation, status, mediaType);
    let body: unknown = text;
    if (/json/.test(mediaType)) {
      try {
        body = JSON.parse(text);
      } catch {
        return [`${where}: body is not JSON`];
      }
    }
    return validate(body)
      ? []
      : (validate.errors ?? []).map((e) => `${where}: ${e.instancePath || '/'} ${e.message}`);
  }

  private validatorFor(operation: Operation, status: number, mediaType: string): ValidateFunction {
    const pointer = [
      'paths',
      operation.template,
      operation.method.toLowerCase(),
      'responses',
      String(status),
      'content',
      mediaType,
      'schema',
    ]
      .map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1'))
      .join('/');
    const key = `openapi.json#/${pointer}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile({ $ref: key });
      this.compiled.set(key, validate);
    }
    return validate;
  }
}
