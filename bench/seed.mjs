// What the bench, the gate and the profiler seed: a migrated database of bench users, and sessions
// written directly with access tokens signed by the app's key, so that a scenario measures requests,
// not logins. `root` is the checkout whose built migrations make the schema (the profiler seeds an
// older commit's worktree with its own).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { query, withDatabase } from './harness.mjs';

export const BENCH_PASSWORD = 'bench password 2026';

const built = (root, file) => import(pathToFileURL(path.resolve(root, 'dist', file)).href);

/**
 * A migrated database holding `count` users and an admin (kept between runs when it already does),
 * its sessions emptied. `hasher` is the app's PasswordHasher: the users are hashed as it hashes today,
 * since older parameters would make every login rehash and save.
 */
export async function seeded(server, database, count, { hasher, root = '.', log = () => {} }) {
  const exists = await query(server, 'SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (exists.length === 0) await query(server, `CREATE DATABASE ${database}`);
  const url = withDatabase(server, database);
  const { migrations } = await built(root, 'migrations/index.js');
  // The runner moved from src/database/ to src/migrations/; an older commit's build has the former.
  const runner = existsSync(path.resolve(root, 'dist/src/migrations/migrate.js'))
    ? 'src/migrations/migrate.js'
    : 'src/database/migrate.js';
  const { runMigrationsLocked } = await built(root, runner);
  const ds = new DataSource({ type: 'postgres', url, migrations });
  await ds.initialize();
  await runMigrationsLocked(ds);
  await ds.destroy();
  const [{ n }] = await query(url, 'SELECT count(*)::int AS n FROM users');
  const [admin] = await query(url, `SELECT password_hash FROM users WHERE role = 'admin'`);
  if (n !== count + 1 || !admin || hasher.needsRehash(admin.password_hash)) {
    log(`seeding ${count.toLocaleString()} users into ${database}`);
    const passwordHash = await hasher.hash(BENCH_PASSWORD);
    await query(url, 'TRUNCATE users CASCADE');
    // Older schemas (the profiler's other commit) have no canonical address yet.
    const canonical = (await columnExists(url, 'users', 'email_canonical')) ? ', email_canonical' : '';
    const canonicalOf = (text) => (canonical ? `, ${text}` : '');
    await query(
      url,
      `INSERT INTO users (email${canonical}, name, password_hash, created_at, updated_at)
       SELECT 'bench-' || i || '@example.com'${canonicalOf("'bench-' || i || '@example.com'")},
              'Bench User ' || i, $1, now() - i * interval '1 second', now() - i * interval '1 second'
         FROM generate_series(1, $2::int) AS i`,
      [passwordHash, count],
    );
    await query(
      url,
      `INSERT INTO users (email${canonical}, name, password_hash, role, created_at, updated_at)
       VALUES ('bench-admin@example.com'${canonicalOf("'bench-admin@example.com'")}, 'Admin', $1, 'admin', now(), now())`,
      [passwordHash],
    );
    await query(url, 'VACUUM ANALYZE users');
  }
  await query(url, 'TRUNCATE sessions CASCADE');
  return url;
}

/** One session per address, written directly, and an access token for each signed with `secret`. */
export async function tokensFor(url, emails, secret) {
  const key = new TextEncoder().encode(secret);
  // Older schemas (the profiler's other commit) have no authenticated_at yet.
  const reauth = await columnExists(url, 'sessions', 'authenticated_at');
  const rows = await query(url, 'SELECT id FROM users WHERE email = ANY($1)', [emails]);
  const tokens = [];
  for (const { id } of rows) {
    const [{ id: sid }] = await query(
      url,
      reauth
        ? `INSERT INTO sessions (user_id, created_at, last_used_at, authenticated_at, expires_at)
           VALUES ($1, now(), now(), now(), now() + interval '1 day') RETURNING id`
        : `INSERT INTO sessions (user_id, created_at, last_used_at, expires_at)
           VALUES ($1, now(), now(), now() + interval '1 day') RETURNING id`,
      [id],
    );
    tokens.push(
      await new SignJWT({ sid })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
        .setSubject(id)
        .setIssuer('gatehouse')
        .setAudience('gatehouse-api')
        .setIssuedAt()
        // The app refuses a lifetime over AUTH_ACCESS_TOKEN_TTL (15 min by default); a run takes ~3.
        .setExpirationTime('15m')
        .sign(key),
    );
  }
  return tokens;
}

async function columnExists(url, table, column) {
  const rows = await query(
    url,
    'SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = $2',
    [table, column],
  );
  return rows.length > 0;
}
