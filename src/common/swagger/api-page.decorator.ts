import type { Type } from '@nestjs/common';
import { ApiOkResponse, ApiProperty } from '@nestjs/swagger';

/** A page of a keyset-paginated list, with its `Link: rel="next"` header (`PageLinks`). */
export const ApiPageResponse = (type: Type<unknown>) =>
  ApiOkResponse({
    type,
    headers: {
      Link: {
        description:
          'On every page but the last: `<…>; rel="next"` (RFC 8288), the absolute address of the next page (from APP_PUBLIC_URL).',
        schema: {
          type: 'string',
          maxLength: 2000,
          pattern: '^<[^>]+>; rel="next"$',
          example: '<https://api.example.com/api/v1/users?limit=20&cursor=MjAyNi0xMS0y>; rel="next"',
        },
      },
    },
  });

/** The `nextCursor` member of every page. */
export const ApiNextCursor = () =>
  ApiProperty({
    type: String,
    nullable: true,
    maxLength: 200,
    pattern: '^[A-Za-z0-9_-]+$',
    description: 'Pass as `cursor` for the next page; null on the last page.',
    example: 'MjAyNi0xMS0yNlQxNjowMDowMC4wMDBafDBiOWU0ZjFl',
  });
