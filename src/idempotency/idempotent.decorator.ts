import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { setting } from '../common/swagger/documented-settings.js';
import { IDEMPOTENCY_KEY_MAX_LENGTH } from './entities/idempotent-request.entity.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';

/**
 * A POST that creates or sends something takes an `Idempotency-Key`: retried with the same key and
 * body, it replays the first answer instead of doing the work again. Not for login or refresh: their
 * answers hold tokens, which must never be stored.
 */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: `A key of your choosing (a UUID, say) that makes a retry safe: the same key with the same body within ${setting('idempotencyKeyTtl')} replays the first success (status, headers, body, plus \`Idempotent-Replayed: true\`) without doing the work again. An error is not remembered: it changed nothing, and a retry runs again. The same key with another body is a 422; while the first request runs, a 409. Keys are per caller: per account when signed in, per client address otherwise.`,
      schema: {
        type: 'string',
        minLength: 1,
        maxLength: IDEMPOTENCY_KEY_MAX_LENGTH + 2,
        pattern: '^[!-~]+$',
        example: '8e3c9a52-51d7-4f0c-9a0b-2f1f5e0c7d11',
      },
    }),
  );
