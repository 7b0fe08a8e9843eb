import { jest } from '@jest/globals';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { AppConfig } from '../config/app.config.js';
import { PageLinks } from '../common/pagination/page-links.js';
import { ProblemDetailsFilter } from '../common/errors/problem-details.filter.js';
import { applyHttpConventions, httpAdapter } from '../common/http/http-conventions.js';
import { RequestValidationPipe } from '../common/http/request-validation.pipe.js';
import { Configuration } from '../config/configuration.js';
import { httpConfig } from '../config/http.config.js';
import { IdempotentRequests } from '../idempotency/idempotent-requests.js';
import type { User } from './entities/user.entity.js';
import { UsersController } from './users.controller.js';
import { EmailTakenError } from './users.errors.js';
import { UserAdministration } from './user-administration.service.js';
import { UsersService } from './users.service.js';

const ADA: User = {
  id: '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e',
  email: 'ada@example.com',
  emailCanonical: 'ada@example.com',
  name: 'Ada',
  passwordHash: '$argon2id$never-shown',
  role: 'user',
  emailVerified: false,
  status: 'active',
  suspendedAt: null,
  suspensionReason: null,
  linksRevokedAt: null,
  totpEnabled: false,
  passkeyCount: 0,
  createdAt: new Date('2026-11-29T12:00:00.000Z'),
  updatedAt: new Date('2026-11-29T12:00:00.000Z'),
};

/**
 * The controller with the real global pipe and filter and the HTTP conventions, over a fake service:
 * what reaches the service, and how every bad request is answered (without a database; the guard
 * and the SQL are tested end to end in test/).
 */
describe('UsersController', () => {
  const users = {
    signUp: jest.fn(async () => ADA),
    list: jest.fn(async () => ({ items: [ADA], nextCursor: null })),
  };
  const administration = { update: jest.fn(async () => ADA) };
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      controllers: [UsersController],
      providers: [
        { provide: UsersService, useValue: users },
        { provide: UserAdministration, useValue: administration },
        // Sign-up is @Idempotent(): these requests carry no key, so each goes on to the operation.
        { provide: IdempotentRequests, useValue: { begin: async () => undefined } },
        {
          provide: PageLinks,
          useValue: new PageLinks({ publicUrl: 'https://api.example.com' } as AppConfig),
        },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    }).compile();
    const http = Configuration.load([httpConfig], {}).get(httpConfig);
    app = module.createNestApplication<NestFastifyApplication>(httpAdapter(http), {
      bodyParser: false,
      logger: false,
    });
    applyHttpConventions(app, http);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => jest.clearAllMocks());

  const post = (payload: object) => app.inject({ method: 'POST', url: '/api/v1/users', payload });
  const problemOf = (response: { headers: Record<string, unknown>; json: () => any }) => {
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    return response.json();
  };
  const valid = { email: '  Ada@Example.com ', password: 'correct horse battery 42', name: ' Ada ' };

  it('signs up with the trimmed body, answers 201 with Location, and never a password hash', async () => {
    const response = await post(valid);
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe(`/api/v1/users/${ADA.id}`);
    expect(users.signUp).toHaveBeenCalledWith(
      expect.objectContaining({ email: 'Ada@Example.com', name: 'Ada', password: valid.password }),
    );
    expect(response.json()).toEqual({
      id: ADA.id,
      email: ADA.email,
      name: 'Ada',
      role: 'user',
      emailVerified: false,
      status: 'active',
      suspendedAt: null,
      suspensionReason: null,
      mfa: { totp: false, passkeys: 0 },
      createdAt: '2026-11-29T12:00:00.000Z',
      updatedAt: '2026-11-29T12:00:00.000Z',
    });
  });

  it.each([
    ['missing members', {}, ['#/email', '#/password', '#/name']],
    ['a member it does not offer', { ...valid, role: 'admin' }, ['#/role']],
    ['an address that is not one', { ...valid, email: 'ada at example.com' }, ['#/email']],
    ['an empty name', { ...valid, name: '   ' }, ['#/name']],
    ['a password over 128 characters', { ...valid, password: 'x'.repeat(129) }, ['#/password']],
  ])('answers %s with a 400 naming each member, and calls nothing', async (_, body, pointers) => {
    const response = await post(body);
    expect(response.statusCode).toBe(400);
    const problem = problemOf(response);
    expect(problem.type).toBe('/problems/validation-failed');
    expect([...new Set(problem.errors.map((e: { pointer: string }) => e.pointer))].toSorted()).toEqual(
      pointers.toSorted(),
    );
    expect(users.signUp).not.toHaveBeenCalled();
  });

  it('maps a domain error to its problem: a taken email is a 409', async () => {
    users.signUp.mockRejectedValueOnce(new EmailTakenError());
    const response = await post(valid);
    expect(response.statusCode).toBe(409);
    expect(problemOf(response)).toMatchObject({ type: '/problems/email-taken', status: 409 });
  });

  it.each([
    ['limit=0', 'limit=0', 'limit'],
    ['limit=101', 'limit=101', 'limit'],
    ['limit=ten', 'limit=ten', 'limit'],
    ['a cursor of 201 characters', `cursor=${'x'.repeat(201)}`, 'cursor'],
    ['a parameter it does not take', 'role=admin', 'role'],
  ])('answers a list query with %s with a 400 naming the parameter', async (_, query, parameter) => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/users?${query}` });
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).errors).toContainEqual({ parameter, detail: expect.any(String) });
    expect(users.list).not.toHaveBeenCalled();
  });

  it('answers an id that is not a UUID with a 400 naming it, and a null name with a 400, not a 500', async () => {
    const notUuid = await app.inject({ method: 'PATCH', url: '/api/v1/users/42', payload: { name: 'x' } });
    expect(problemOf(notUuid).errors).toEqual([{ parameter: 'id', detail: 'id must be a UUID' }]);
    const nullName = await app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${ADA.id}`,
      payload: { name: null },
    });
    expect(nullName.statusCode).toBe(400);
    expect(problemOf(nullName).errors.map((e: { pointer: string }) => e.pointer)).toContain('#/name');
    expect(administration.update).not.toHaveBeenCalled();
  });
});
