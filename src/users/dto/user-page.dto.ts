import { ApiProperty } from '@nestjs/swagger';
import { ApiNextCursor } from '../../common/swagger/api-page.decorator.js';
import { UserResponseDto } from './user-response.dto.js';
import { PAGE_MAX_LIMIT } from '../../common/pagination/page-query.dto.js';

export class UserPageDto {
  @ApiProperty({ type: [UserResponseDto], maxItems: PAGE_MAX_LIMIT, description: 'Newest first.' })
  items: UserResponseDto[];

  @ApiNextCursor()
  nextCursor: string | null;
}
