import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { SecondFactorProofDto } from './second-factor-fields.js';

export class MfaLoginDto extends SecondFactorProofDto {
  @ApiProperty({
    description: 'The `mfaToken` of the login that asked for a second factor.',
    maxLength: 200,
    pattern: '^[A-Za-z0-9_-]+$',
    example: 'mF4tQk2yQv7sXbN3dP8wR1zL6aH0cJ5eG9uYiTo2KsM',
  })
  @IsString()
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: '$property must be the mfaToken of a login (URL-safe base64)' })
  mfaToken: string;
}
