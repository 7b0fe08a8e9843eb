import { BadRequestException, NotFoundException } from '@nestjs/common';
import { EmailTakenError } from '../../users/users.errors.js';
import { InvalidCursorError } from '../pagination/keyset-cursor.js';
import { RequestValidationError } from './domain-error.js';
import { toProblem } from './problem-details.js';

describe('toProblem', () => {
  it('maps domain errors to their status', () => {
    expect(toProblem(new EmailTakenError())).toMatchObject({ status: 409, type: '/problems/email-taken' });
    expect(toProblem(new InvalidCursorError())).toMatchObject({
      status: 400,
      errors: [{ parameter: 'cursor', detail: expect.any(String) }],
    });
  });

  it('keeps validation errors', () => {
    const errors = [{ pointer: '#/email', detail: 'bad' }];
    expect(toProblem(new RequestValidationError(errors))).toMatchObject({ status: 400, errors });
  });

  it('maps HTTP exceptions by their status', () => {
    expect(toProblem(new NotFoundException())).toMatchObject({
      status: 404,
      type: 'about:blank',
      title: 'Not Found',
    });
    expect(toProblem(new BadRequestException('nope'))).toMatchObject({ status: 400, detail: 'nope' });
  });

  it('says nothing about the internals of an unexpected error', () => {
    const problem = toProblem(new Error('relation "users" does not exist at /src/secret.ts:1'));
    expect(problem).toMatchObject({ status: 500, title: 'Internal Server Error' });
    expect(JSON.stringify(problem)).not.toMatch(/relation|secret/);
  });
});
