import { ApiProperty } from '@nestjs/swagger';
import { UserResponseDto } from './user-response.dto.js';

export class UserPageDto {
  @ApiProperty({ type: [UserResponseDto], maxItems: 100, description: 'Newest first.' })
  items: UserResponseDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 200,
    pattern: '^[A-Za-z0-9_-]+$',
    description: 'Pass as `cursor` for the next page; null on the last page.',
    example: 'MjAyNi0xMS0yNlQxNjowMDowMC4wMDBafDBiOWU0ZjFl',
  })
  nextCursor: string | null;
}
