import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { ONE_LINE_TEXT, PlainText } from '../../common/http/text-fields.js';
import { NoInvisibleCharacters } from '../../users/dto/user-fields.js';
import {
  ORGANIZATION_NAME_MAX_LENGTH,
  ORGANIZATION_SLUG,
  ORGANIZATION_SLUG_MAX_LENGTH,
} from '../entities/organization.entity.js';

export const OrganizationNameField = ({ required = true } = {}) =>
  applyDecorators(
    ApiProperty({
      description: 'What its members call it.',
      minLength: 1,
      maxLength: ORGANIZATION_NAME_MAX_LENGTH,
      pattern: ONE_LINE_TEXT,
      example: 'Acme Corporation',
      required,
    }),
    IsString(),
    Length(1, ORGANIZATION_NAME_MAX_LENGTH),
    PlainText(),
    NoInvisibleCharacters({ joinersInWords: true }),
  );

export const OrganizationSlugField = ({ required = true } = {}) =>
  applyDecorators(
    ApiProperty({
      description:
        'Unique among all organizations: lower-case letters and digits, in words joined by single hyphens.',
      minLength: 2,
      maxLength: ORGANIZATION_SLUG_MAX_LENGTH,
      pattern: ORGANIZATION_SLUG,
      example: 'acme',
      required,
    }),
    IsString(),
    Length(2, ORGANIZATION_SLUG_MAX_LENGTH),
    Matches(new RegExp(ORGANIZATION_SLUG), {
      message: '$property must be lower-case letters and digits, in words joined by single hyphens',
    }),
  );
