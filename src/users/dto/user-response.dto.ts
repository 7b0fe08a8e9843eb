import { ApiProperty } from '@nestjs/swagger';
import { MAX_PASSKEYS_PER_USER } from '../../mfa/entities/passkey.entity.js';
import {
  SUSPENSION_REASON_MAX_LENGTH,
  USER_ROLES,
  USER_STATUSES,
  type User,
  type UserRole,
  type UserStatus,
} from '../entities/user.entity.js';
import { EMAIL_MAX_LENGTH } from '../../common/http/text-fields.js';
import { NAME_MAX_LENGTH } from './user-fields.js';
import { ONE_LINE_TEXT } from '../../common/http/text-fields.js';

/** Which second factors guard the account (never the factors themselves). */
export class UserMfaDto {
  @ApiProperty({
    description: 'An authenticator app is confirmed: a password login asks for its code.',
    example: false,
  })
  totp: boolean;

  @ApiProperty({
    minimum: 0,
    maximum: MAX_PASSKEYS_PER_USER,
    description: 'How many passkeys the account has.',
    example: 0,
  })
  passkeys: number;
}

/** A user as clients see it: never a password hash. */
export class UserResponseDto {
  @ApiProperty({ format: 'uuid', maxLength: 36, example: '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e' })
  id: string;

  @ApiProperty({ format: 'idn-email', maxLength: EMAIL_MAX_LENGTH, example: 'ada@example.com' })
  email: string;

  @ApiProperty({ maxLength: NAME_MAX_LENGTH, pattern: ONE_LINE_TEXT, example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ enum: USER_ROLES, example: 'user' })
  role: UserRole;

  @ApiProperty({ description: 'Whether the user proved they read mail at this address.', example: false })
  emailVerified: boolean;

  @ApiProperty({
    enum: USER_STATUSES,
    description:
      '`suspended`: an admin stopped the account; it cannot sign in, refresh or reset its password.',
    example: 'active',
  })
  status: UserStatus;

  @ApiProperty({
    type: String,
    format: 'date-time',
    maxLength: 30,
    nullable: true,
    description: 'When the account was suspended; null while it is active.',
    example: null,
  })
  suspendedAt: string | null;

  @ApiProperty({
    type: String,
    maxLength: SUSPENSION_REASON_MAX_LENGTH,
    pattern: ONE_LINE_TEXT,
    nullable: true,
    description: "The suspending admin's reason; null while the account is active.",
    example: null,
  })
  suspensionReason: string | null;

  @ApiProperty({ type: UserMfaDto, description: 'Its second factors.' })
  mfa: UserMfaDto;

  @ApiProperty({ format: 'date-time', maxLength: 30, example: '2026-11-26T16:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', maxLength: 30, example: '2026-11-26T16:00:00.000Z' })
  updatedAt: string;

  static from(user: User): UserResponseDto {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      emailVerified: user.emailVerified,
      status: user.status,
      suspendedAt: user.suspendedAt?.toISOString() ?? null,
      suspensionReason: user.suspensionReason,
      mfa: { totp: user.totpEnabled, passkeys: user.passkeyCount },
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    };
  }
}
