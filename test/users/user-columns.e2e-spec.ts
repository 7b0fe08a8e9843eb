import { User } from '../../src/users/entities/user.entity.js';
import { UserColumns } from '../../src/users/user-columns.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { signUp } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The hot paths read users with hand-written SQL over UserColumns: a row read that way must be what
 * TypeORM itself reads, member for member and type for type, whatever columns the entity has.
 */
describe('UserColumns (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it("selects every column of the entity under its property's name", () => {
    const select = t.app.get(UserColumns).select('u');
    for (const column of t.db.getMetadata(User).columns)
      expect(select).toContain(`u."${column.databaseName}" AS "${column.propertyName}"`);
  });

  it('reads a user exactly as TypeORM reads it, by id, by email and in a page', async () => {
    const { id, email } = await signUp(t.api);
    const expected = { ...(await t.db.getRepository(User).findOneByOrFail({ id })) };
    const users = t.app.get(UsersRepository);
    expect(await users.findById(id)).toStrictEqual(expected);
    expect(await users.findByEmail(email.toUpperCase())).toStrictEqual(expected);
    const [first] = await users.findPage({ limit: 1 });
    expect(first).toStrictEqual(expected);
  });
});
