import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FIELD_ERROR_LIMITS, MAX_FIELD_ERRORS } from '../errors/domain-error.js';

export class FieldErrorDto {
  @ApiPropertyOptional({
    description: `JSON pointer to the invalid body member (cut at ${FIELD_ERROR_LIMITS.pointer} characters).`,
    example: '#/email',
    maxLength: FIELD_ERROR_LIMITS.pointer,
    pattern: '^#(/.*)?$',
  })
  pointer?: string;

  @ApiPropertyOptional({
    description: `Name of the invalid query or path parameter, as the client sent it (cut at ${FIELD_ERROR_LIMITS.parameter} characters).`,
    example: 'limit',
    minLength: 1,
    maxLength: FIELD_ERROR_LIMITS.parameter,
  })
  parameter?: string;

  @ApiProperty({
    description: 'What is wrong with it.',
    example: 'email must be an email',
    maxLength: FIELD_ERROR_LIMITS.detail,
  })
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
    description: 'The path of the request (as long as the 16 KB request line allows).',
    example: '/api/v1/users',
    format: 'uri-reference',
    maxLength: 16_384,
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
    description:
      'With tracing on (`OTEL_EXPORTER_OTLP_ENDPOINT`), the W3C trace id of the request: the caller’s own when it sent a `traceparent`.',
    example: '4bf92f3577b34da6a3ce929d0e0e4736',
    maxLength: 32,
    pattern: '^[0-9a-f]{32}$',
  })
  traceId?: string;

  @ApiPropertyOptional({
    description: `On validation failures: each invalid input (the first ${MAX_FIELD_ERRORS} when there are more).`,
    type: [FieldErrorDto],
    maxItems: MAX_FIELD_ERRORS,
  })
  errors?: FieldErrorDto[];
}
