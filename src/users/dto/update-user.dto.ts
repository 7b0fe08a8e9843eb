import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { Omittable } from '../../common/http/omittable.decorator.js';
import { USER_ROLES, type UserRole } from '../entities/user.entity.js';
import { NameField } from './user-fields.js';

/** What an admin may change on any account. */
export class UpdateUserDto {
  @Omittable()
  @NameField({ required: false })
  name?: string;

  @ApiPropertyOptional({
    enum: USER_ROLES,
    description: 'Takes effect on the next request.',
    example: 'admin',
  })
  @Omittable()
  @IsIn(USER_ROLES)
  role?: UserRole;
}
