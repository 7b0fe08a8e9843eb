import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { USER_ROLES, type UserRole } from '../entities/user.entity.js';
import { NameField } from './user-fields.js';

/** What an admin may change on any account. */
export class UpdateUserDto {
  @IsOptional()
  @NameField({ required: false })
  name?: string;

  @ApiPropertyOptional({
    enum: USER_ROLES,
    description: 'Takes effect on the next request.',
    example: 'admin',
  })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;
}
