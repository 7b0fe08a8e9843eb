import { ApiProperty } from '@nestjs/swagger';
import { SECOND_FACTOR_METHODS, type SecondFactorMethod, type Session } from '../entities/session.entity.js';
import { IP_ADDRESS_MAX_LENGTH, USER_AGENT_MAX_LENGTH } from '../../common/http/client-info.js';

/** A list a person can read; a client with more live sessions than this has a bug to fix, not a page to turn. */
export const MAX_LISTED_SESSIONS = 100;

/** One signed-in device, as its owner reviews it: no token, no hash. */
export class SessionResponseDto {
  @ApiProperty({ format: 'uuid', maxLength: 36, example: '5f0c8a52-3e0b-4c2e-9d59-8f4f7a1e2b10' })
  id: string;

  @ApiProperty({ format: 'date-time', maxLength: 30, example: '2026-11-26T16:00:00.000Z' })
  createdAt: string;

  @ApiProperty({
    format: 'date-time',
    maxLength: 30,
    description:
      'The last sign-in or token refresh of this session. Not moved by every request: an access token is used for up to its lifetime without touching the session.',
    example: '2026-11-27T09:30:00.000Z',
  })
  lastUsedAt: string;

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: USER_AGENT_MAX_LENGTH,
    description: 'The `User-Agent` of the last sign-in or refresh; null when none was sent.',
    example: 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
  })
  userAgent: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: IP_ADDRESS_MAX_LENGTH,
    // IPv4 or IPv6, an IPv6 zone included (`fe80::1%eth0`).
    pattern: '^[0-9A-Za-z:.%_-]+$',
    description:
      'The client address of the last sign-in or refresh, as `TRUST_PROXY` decides it (behind a proxy, its forwarded address).',
    example: '203.0.113.7',
  })
  ipAddress: string | null;

  @ApiProperty({
    type: String,
    // Inline, not the named enum: a reference cannot be nullable in OpenAPI 3.0, and a nullable
    // enum lists null among its values (OpenAPI 3.0.3 §4.7.25).
    enum: [...SECOND_FACTOR_METHODS, null],
    nullable: true,
    description:
      'The second factor the sign-in used (`passkey`: a passkey alone, which is both factors); null for a password alone.',
    example: 'totp',
  })
  secondFactor: SecondFactorMethod | null;

  @ApiProperty({
    description: 'True for the session of the access token making this request.',
    example: true,
  })
  current: boolean;

  static from(session: Session, currentSessionId: string | null): SessionResponseDto {
    return {
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt.toISOString(),
      userAgent: session.userAgent,
      ipAddress: session.ipAddress,
      secondFactor: session.secondFactor,
      current: session.id === currentSessionId,
    };
  }
}

export class SessionListDto {
  @ApiProperty({
    type: [SessionResponseDto],
    maxItems: MAX_LISTED_SESSIONS,
    description: `Every live session, the most recently used first (at most ${MAX_LISTED_SESSIONS}; logout-all ends them all).`,
  })
  items: SessionResponseDto[];
}
