import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

export class RefreshDto {
  @ApiProperty({
    description:
      'The refresh token of the last pair. It is spent by this call; presenting it again ends the session.',
    maxLength: 200,
    pattern: '^[A-Za-z0-9_-]+$',
    example: 'kq3Vn0cXw5hQ3mJ6Yt9Hqz8bWfV1uZr2LxPaE4sDgTo',
  })
  @IsString()
  @MaxLength(200)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: '$property must be a refresh token (URL-safe base64)' })
  refreshToken: string;
}
