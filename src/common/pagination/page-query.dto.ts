import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/**
 * An integer query parameter: decimal digits only. Anything else stays a string and fails `@IsInt`,
 * where Number() took `0x10`, `1e2`, ` 7 ` and `0b11` too.
 */
export const DecimalInteger = () =>
  Transform(({ value }) => (typeof value === 'string' && /^-?\d{1,9}$/.test(value) ? Number(value) : value));

/** The most items a page of any list holds. */
export const PAGE_MAX_LIMIT = 100;

/** `?limit&cursor` of every keyset-paginated list; a list with filters extends it. */
export class PageQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: PAGE_MAX_LIMIT,
    default: 20,
    description: 'Items per page, in decimal digits.',
    example: 20,
  })
  @IsOptional()
  @DecimalInteger()
  @IsInt()
  @Min(1)
  @Max(PAGE_MAX_LIMIT)
  limit: number = 20;

  @ApiPropertyOptional({
    description: 'The `nextCursor` of the previous page.',
    maxLength: 200,
    pattern: '^[A-Za-z0-9_-]+$',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
