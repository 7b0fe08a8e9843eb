import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { isIP } from 'node:net';

export const USER_AGENT_MAX_LENGTH = 512;
/** Longer than any IPv6 address with a zone id; what the `ip_address` columns hold. */
export const IP_ADDRESS_MAX_LENGTH = 64;
// eslint-disable-next-line no-control-regex -- matching them is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Where a request came from, as a person reviewing their sessions would want to see it. */
export interface ClientInfo {
  /** The client address as TRUST_PROXY decides it (`request.ip`), the one the rate limits count. */
  ipAddress: string | null;
  /** The `User-Agent` header, cut to USER_AGENT_MAX_LENGTH characters; null when absent or empty. */
  userAgent: string | null;
}

/** Reads the client of a request: what a session records at login and refresh. */
export function clientOf(request: Pick<FastifyRequest, 'ip' | 'headers'>): ClientInfo {
  const header = request.headers['user-agent'];
  // Node keeps a header's bytes as Latin-1 text: never invalid, but cut so a 16 KB one stays out of
  // the table, and without control characters (C0, DEL, C1 such as U+009B, a terminal's CSI), which
  // would otherwise reach the person reading their security page or an exported log.
  const userAgent =
    typeof header === 'string'
      ? header.replace(CONTROL_CHARACTERS, '').trim().slice(0, USER_AGENT_MAX_LENGTH)
      : '';
  // With TRUST_PROXY, request.ip is whatever X-Forwarded-For said: keep it only if it is an address.
  const ip = request.ip;
  const ipAddress = ip && ip.length <= IP_ADDRESS_MAX_LENGTH && isIP(ip) !== 0 ? ip : null;
  return { ipAddress, userAgent: userAgent || null };
}

/** The `ClientInfo` of the request being handled. */
export const Client = createParamDecorator((_: unknown, context: ExecutionContext): ClientInfo =>
  clientOf(context.switchToHttp().getRequest()),
);
