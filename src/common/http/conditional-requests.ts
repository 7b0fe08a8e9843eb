import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hash } from 'node:crypto';

/**
 * Conditional requests (RFC 9110 §13): a resource whose representation a client may change sends a
 * strong `ETag`; `If-None-Match` on a GET answers 304 when it still matches, and `If-Match` on a
 * change makes it refuse (412) when the client read an older representation.
 */

/** A strong entity tag of a representation: its SHA-256, cut to 128 bits, quoted. */
export function entityTag(representation: string): string {
  return `"${hash('sha256', representation, 'base64url').slice(0, 22)}"`;
}

/** `If-Match` as the client sent it: any current representation (`*`), or the tags it holds. */
export type EntityTagCondition = '*' | readonly string[];

/** The entity tags of a header's list (`"a", W/"b"`), as sent (weak ones keep their `W/`). */
function tagsOf(header: string): string[] {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
}

/** `If-Match` uses the strong comparison: a weak tag never matches (§13.1.1). */
export function ifMatchHolds(condition: EntityTagCondition, current: string): boolean {
  return condition === '*' || condition.some((tag) => !tag.startsWith('W/') && tag === current);
}

/** `If-None-Match` uses the weak comparison: `W/"x"` matches `"x"` (§13.1.2). */
function noneMatchFails(header: string, current: string): boolean {
  const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);
  const tags = tagsOf(header);
  return tags.includes('*') || tags.some((tag) => opaque(tag) === opaque(current));
}

/** The request's `If-Match`, or undefined without one: a change without it is unconditional. */
export const IfMatch = createParamDecorator(
  (_: unknown, context: ExecutionContext): EntityTagCondition | undefined => {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
    if (typeof header !== 'string') return undefined;
    return header.trim() === '*' ? '*' : tagsOf(header);
  },
);

/**
 * A 200 to a GET whose `ETag` matches the request's `If-None-Match` becomes a 304 without a body,
 * for every route that sends an `ETag`: the route only says what its tag is.
 */
export function answerNotModified(fastify: FastifyInstance): void {
  fastify.addHook(
    'onSend',
    (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (e: null, p: unknown) => void) => {
      const condition = request.headers['if-none-match'];
      const tag = reply.getHeader('etag');
      if (
        reply.statusCode !== 200 ||
        (request.method !== 'GET' && request.method !== 'HEAD') ||
        typeof condition !== 'string' ||
        typeof tag !== 'string' ||
        !noneMatchFails(condition, tag)
      )
        return done(null, payload);
      void reply.code(304).removeHeader('content-type').removeHeader('content-length');
      done(null, null);
    },
  );
}
