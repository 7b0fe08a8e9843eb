import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { EmailField } from '../../users/dto/user-fields.js';
import { PASSWORD_MAX_LENGTH } from '../../passwords/password-policy.js';

export class LoginDto {
  @EmailField()
  email: string;

  @ApiProperty({
    format: 'password',
    maxLength: PASSWORD_MAX_LENGTH,
    example: 'correct horse battery staple',
  })
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password: string;
}
