import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiPropertyOptional({
    description: 'JSON pointer to the invalid body member.',
    example: '#/email',
    maxLength: 300,
    pattern: '^#(/.*)?$',
  })
  pointer?: string;

  @ApiPropertyOptional({
    description: 'Name of the invalid query or path parameter.',
    example: 'limit',
    maxLength: 100,
    pattern: '^[\\w.]+$',
  })
  parameter?: string;

  @ApiProperty({ description: 'What is wrong with it.', example: 'email must be an email', maxLength: 500 })
  detail: string;
}

/** RFC 9457 problem details, the body of every error response. */
export class ProblemDetailsDto {
  @ApiProperty({
    description: 'A URI reference naming the kind of problem; `about:blank` when the status says it all.',
    example: '/problems/validation-failed',
    format: 'uri-reference',
    maxLength: 200,
  })
  type: string;

  @ApiProperty({
    description: 'Short summary of the kind of problem.',
    example: 'Validation failed',
    maxLength: 200,
  })
  title: string;

  @ApiProperty({
    description: 'The HTTP status code.',
    example: 400,
    format: 'int32',
    minimum: 400,
    maximum: 599,
  })
  status: number;

  @ApiProperty({
    description: 'What went wrong with this request.',
    example: 'The request is not valid.',
    maxLength: 1000,
  })
  detail: string;

  @ApiProperty({
    description: 'The path of the request.',
    example: '/api/v1/users',
    format: 'uri-reference',
    maxLength: 2000,
  })
  instance: string;

  @ApiProperty({
    description: 'The request id, also sent as the `X-Request-Id` header; quote it when reporting a problem.',
    example: '2b1f0c7e-9d7e-4a55-8a8e-6f0d2b8f4c1a',
    maxLength: 128,
    pattern: '^[\\w.:-]{1,128}$',
  })
  requestId: string;

  @ApiPropertyOptional({
    description: 'On validation failures: each invalid input.',
    type: [FieldErrorDto],
    maxItems: 100,
  })
  errors?: FieldErrorDto[];
}
