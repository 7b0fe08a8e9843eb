import { ApiPropertyOptional } from '@nestjs/swagger';
import { IP_ADDRESS_MAX_LENGTH, USER_AGENT_MAX_LENGTH } from '../common/http/client-info.js';
import { SECOND_FACTOR_METHODS, type SecondFactorMethod } from './entities/session.entity.js';

/**
 * Why a login failed, as `details.reason` of `login.failed`. An unknown email is recorded with no
 * subject and without the address (people type passwords into the email field).
 */
export const LOGIN_FAILURE_REASONS = [
  'unknown-email',
  'wrong-password',
  'locked',
  'suspended',
  /** A wrong authenticator code or recovery code after the right password, or an unknown passkey. */
  'wrong-second-factor',
] as const;
export type LoginFailureReason = (typeof LOGIN_FAILURE_REASONS)[number];

/** `details.route` of `access.denied`: the method and the route's path template, cut to this. */
export const ROUTE_MAX_LENGTH = 200;

/** What a `proof.failed` event says was wrong: `details.proof`. */
export const FAILED_PROOFS = ['password', 'totp', 'recovery-code', 'passkey', 'mfa-token'] as const;
export type FailedProof = (typeof FAILED_PROOFS)[number];

const IP_ADDRESS = { maxLength: IP_ADDRESS_MAX_LENGTH, pattern: '^[0-9A-Za-z:.%_-]+$' } as const;

/**
 * What sign-ins, sessions and proofs record beyond their columns (`details`), for the audit log's
 * schema. `proof` is the proofs' vocabulary, which reauthentication records too.
 */
export class AuthAuditDetailsDto {
  @ApiPropertyOptional({
    enum: LOGIN_FAILURE_REASONS,
    description: '`login.failed`: why.',
    example: 'wrong-password',
  })
  reason?: LoginFailureReason;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: 2_147_483_647,
    description: '`login.locked`: for how long, in seconds.',
  })
  lockedSeconds?: number;

  @ApiPropertyOptional({
    enum: SECOND_FACTOR_METHODS,
    description: '`login.succeeded`: the second factor the sign-in was finished with, when there was one.',
  })
  secondFactor?: SecondFactorMethod;

  @ApiPropertyOptional({
    enum: FAILED_PROOFS,
    description:
      '`session.reauthenticated`: what the session proved itself with. `proof.failed`: the proof that was wrong.',
  })
  proof?: FailedProof;

  @ApiPropertyOptional({
    description: '`proof.failed`: the login lock refused the attempt (recorded once per lock).',
  })
  locked?: boolean;

  @ApiPropertyOptional({
    maxLength: ROUTE_MAX_LENGTH,
    pattern: '^[A-Z]+ /\\S*$',
    example: 'GET /api/v1/users',
    description: '`access.denied`: the method and route a signed-in caller’s role may not use.',
  })
  route?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    ...IP_ADDRESS,
    description:
      '`session.refresh-token-reused`: the address of the client that had spent the token (the event’s own `ipAddress` is the one that presented it again).',
  })
  spentByIpAddress?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: USER_AGENT_MAX_LENGTH,
    description: '`session.refresh-token-reused`: the `User-Agent` of the client that had spent the token.',
  })
  spentByUserAgent?: string | null;
}
