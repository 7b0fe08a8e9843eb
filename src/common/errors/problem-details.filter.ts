import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { traceIdField } from '../trace-id.js';
import { headersFor, interpret, toProblem } from './problem-details.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** The one place where errors become HTTP: RFC 9457 problem details for everything. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(thrown: unknown, host: ArgumentsHost): void {
    const error = interpret(thrown);
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const problem = toProblem(error);
    // Only the unexpected: a 503 from a failing readiness check, say, is an answer, not an error.
    if (problem.status === 500) {
      this.logger.error(
        { requestId: request.id, err: error },
        `unhandled error on ${request.method} ${request.url.split('?')[0]}`,
      );
    }
    sendProblem(request, reply, error, problem);
  }
}

/** Sends `problem` for `error` as problem+json, with its headers, the path and the request id. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  problem = toProblem(error),
): void {
  void reply
    .headers(headersFor(error, problem))
    .header('x-request-id', request.id)
    .status(problem.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send({ ...problem, instance: request.url.split('?')[0], requestId: request.id, ...traceIdField() });
}
