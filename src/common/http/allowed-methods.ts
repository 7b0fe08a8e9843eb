import { MethodNotAllowedException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../errors/problem-details.filter.js';

/**
 * A path the API has, asked with a method it does not take, is a 405 with `Allow` (RFC 9110,
 * 15.5.6), not the 404 of a path it does not have. The router answers only "no route", so the
 * routes are noted as they are registered (`onRoute`, before Nest registers its controllers) and
 * matched here, only for the requests the router did not match. Wildcard routes (Swagger UI's
 * files, CORS preflights) are left out: they say nothing about a method.
 */
export class AllowedMethods {
  private readonly routes: { pattern: RegExp; methods: Set<string> }[] = [];

  constructor(fastify: FastifyInstance) {
    fastify.addHook('onRoute', ({ url, method }) => {
      if (!url.includes('*')) this.note(url, [method].flat());
    });
  }

  /** For a request no route matched: answers the 405 and says so, when another method would have. */
  refused(request: FastifyRequest, reply: FastifyReply): boolean {
    const path = request.url.split('?')[0];
    const allowed = new Set(this.routes.filter((r) => r.pattern.test(path)).flatMap((r) => [...r.methods]));
    if (allowed.size === 0 || allowed.has(request.method)) return false;
    void reply.header('allow', [...allowed].toSorted().join(', '));
    const error = new MethodNotAllowedException(`${request.method} is not a method of this path: see Allow.`);
    sendProblem(request, reply, error);
    return true;
  }

  private note(url: string, methods: string[]): void {
    const escaped = url.replace(/\/$/, '').replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    const source = `^${escaped.replace(/:[^/]+/g, '[^/]+')}/?$`;
    let route = this.routes.find((r) => r.pattern.source === source);
    if (!route) this.routes.push((route = { pattern: new RegExp(source), methods: new Set() }));
    for (const method of methods) route.methods.add(method);
  }
}
