import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

/** The token from the link of an account email (`…?token=<token>`). */
export const AccountTokenField = () =>
  applyDecorators(
    ApiProperty({
      description: 'The `token` parameter of the link in the email.',
      maxLength: 200,
      pattern: '^[A-Za-z0-9_-]+$',
      example: 'Zk3Vn0cXw5hQ3mJ6Yt9Hqz8bWfV1uZr2LxPaE4sDgTo',
    }),
    IsString(),
    MaxLength(200),
    Matches(/^[A-Za-z0-9_-]+$/, {
      message: '$property must be the token of an email link (URL-safe base64)',
    }),
  );
