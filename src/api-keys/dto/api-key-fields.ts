import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { ONE_LINE_TEXT, PlainText } from '../../common/http/text-fields.js';
import { NoInvisibleCharacters } from '../../users/dto/user-fields.js';
import { API_KEY_NAME_MAX_LENGTH } from '../entities/api-key.entity.js';

/** What the owner calls a key: the script or service that holds it. */
export const ApiKeyNameField = () =>
  applyDecorators(
    ApiProperty({
      description: 'What the key is for ("Nightly export"): shown in the list, never secret.',
      minLength: 1,
      maxLength: API_KEY_NAME_MAX_LENGTH,
      pattern: ONE_LINE_TEXT,
      example: 'Nightly export',
    }),
    IsString(),
    Length(1, API_KEY_NAME_MAX_LENGTH),
    PlainText(),
    NoInvisibleCharacters({ joinersInWords: true }),
  );
