import { ApiProperty } from '@nestjs/swagger';
import { ApiNextCursor } from '../../common/swagger/api-page.decorator.js';
import { UserResponseDto } from './user-response.dto.js';

export class UserPageDto {
  @ApiProperty({ type: [UserResponseDto], maxItems: 100, description: 'Newest first.' })
  items: UserResponseDto[];

  @ApiNextCursor()
  nextCursor: string | null;
}
