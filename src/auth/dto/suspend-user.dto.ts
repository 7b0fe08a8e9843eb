import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length } from 'class-validator';
import { SUSPENSION_REASON_MAX_LENGTH } from '../../users/entities/user.entity.js';
import { NoInvisibleCharacters } from '../../users/dto/user-fields.js';
import { ONE_LINE_TEXT } from '../../common/http/text-fields.js';

export class SuspendUserDto {
  @ApiProperty({
    description:
      'Why, for the admins who come after you (shown to admins in `suspensionReason`, never to the user at sign-in). Trimmed; control and invisible characters are refused.',
    minLength: 1,
    maxLength: SUSPENSION_REASON_MAX_LENGTH,
    pattern: ONE_LINE_TEXT,
    example: 'Chargeback fraud reported on 2026-11-28; ticket OPS-1432.',
  })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().normalize('NFC') : value))
  @IsString()
  @Length(1, SUSPENSION_REASON_MAX_LENGTH)
  @NoInvisibleCharacters({ joinersInWords: true })
  reason: string;
}
