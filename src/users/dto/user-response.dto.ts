import { ApiProperty } from '@nestjs/swagger';
import { USER_ROLES, type User, type UserRole } from '../entities/user.entity.js';
import { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH } from './user-fields.js';

/** A user as clients see it: never a password hash. */
export class UserResponseDto {
  @ApiProperty({ format: 'uuid', maxLength: 36, example: '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e' })
  id: string;

  @ApiProperty({ format: 'idn-email', maxLength: EMAIL_MAX_LENGTH, example: 'ada@example.com' })
  email: string;

  @ApiProperty({ maxLength: NAME_MAX_LENGTH, example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ enum: USER_ROLES, example: 'user' })
  role: UserRole;

  @ApiProperty({ description: 'Whether the user proved they read mail at this address.', example: false })
  emailVerified: boolean;

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
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    };
  }
}
