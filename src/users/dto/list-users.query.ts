import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';

export class ListUsersQuery extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Case-insensitive prefix of the email or the name; `%` and `_` match themselves.',
    maxLength: 254,
    example: 'ada',
  })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  search?: string;
}
