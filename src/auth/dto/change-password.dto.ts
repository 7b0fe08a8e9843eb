import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../../passwords/password-policy.js';
import { PasswordField } from '../../users/dto/user-fields.js';

export class ChangePasswordDto {
  @ApiProperty({
    format: 'password',
    maxLength: PASSWORD_MAX_LENGTH,
    example: 'correct horse battery staple',
  })
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  currentPassword: string;

  @PasswordField('The new password.')
  newPassword: string;
}
