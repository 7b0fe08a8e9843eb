import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { EMAIL_MAX_LENGTH } from '../../common/http/text-fields.js';

export class ListUsersQuery extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Case-insensitive prefix of the email or the name; `%` and `_` match themselves.',
    maxLength: EMAIL_MAX_LENGTH,
    example: 'ada',
  })
  @IsOptional()
  @IsString()
  @MaxLength(EMAIL_MAX_LENGTH)
  search?: string;
}
