import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

export class HealthCheckDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status: 'up' | 'down';

  @ApiPropertyOptional({ description: 'Why a check is down.', maxLength: 500, example: 'shutting down' })
  message?: string;

  @ApiPropertyOptional({
    description: 'How long the check took, in milliseconds.',
    format: 'int32',
    minimum: 0,
    maximum: 60_000,
    example: 3,
  })
  responseTime?: number;
}

const CHECKS = {
  type: 'object',
  additionalProperties: { $ref: getSchemaPath(HealthCheckDto) },
  maxProperties: 10,
} as const;

/** @nestjs/terminus's answer: each check by name (`database`, `shutdown`). */
export class HealthDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status: 'ok';

  @ApiProperty({ ...CHECKS, description: 'The checks that passed.', example: { database: { status: 'up' } } })
  info: Record<string, HealthCheckDto>;

  @ApiProperty({
    ...CHECKS,
    description:
      'The checks that failed. With `status` `ok`, only `redis` can be here: it is reported, not required.',
    example: {},
  })
  error: Record<string, HealthCheckDto>;

  @ApiProperty({ ...CHECKS, description: 'Every check.', example: { database: { status: 'up' } } })
  details: Record<string, HealthCheckDto>;
}
