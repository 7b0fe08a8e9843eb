// What the bench, the gate and the profiler seed: a migrated database of bench users, and sessions
// written directly with access tokens signed by the app's key, so that a scenario measures requests,
// not logins. `root` is the checkout whose built migrations make the schema (the profiler seeds an
// older commit's worktree with its own).
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { keyEncryptionKeyOf, query, withDatabase } from './harness.mjs';

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

/**
 * One session per address, written directly, and an access token for each signed as the app signs:
 * with a key pair of the bench's own, installed as the current signing key (sealed as
 * src/common/secret-box.ts seals, with the key-encryption key of `secret`), or, on a build from
 * before signing keys, with `secret` (HS256).
 */
export async function tokensFor(url, emails, secret) {
  const signer = (await tableExists(url, 'signing_keys'))
    ? await installedSigningKey(url, secret)
    : { header: { alg: 'HS256', typ: 'at+jwt' }, key: new TextEncoder().encode(secret) };
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
      await new SignJWT({ sid, roles: ['user'], client_id: 'gatehouse', jti: randomUUID() })
        .setProtectedHeader(signer.header)
        .setSubject(id)
        .setIssuer('gatehouse')
        .setAudience('gatehouse-api')
        .setIssuedAt()
        // The app refuses a lifetime over AUTH_ACCESS_TOKEN_TTL (15 min by default); a run takes ~3.
        .setExpirationTime('15m')
        .sign(signer.key),
    );
  }
  return tokens;
}

/**
 * An organization (kept between runs) owned by bench-admin, with bench-1 … bench-`members` as its
 * members, each joined a millisecond before the next; its id.
 */
export async function seededOrganization(url, slug, members, { log = () => {} } = {}) {
  const [found] = await query(
    url,
    `SELECT o.id, (SELECT count(*)::int FROM memberships m WHERE m.organization_id = o.id) AS members
       FROM organizations o WHERE o.slug = $1`,
    [slug],
  );
  if (found?.members === members + 1) return found.id;
  if (found) await query(url, 'DELETE FROM organizations WHERE id = $1', [found.id]);
  log(`seeding an organization of ${members.toLocaleString()} members`);
  const [{ id }] = await query(
    url,
    `INSERT INTO organizations (name, slug, created_at, updated_at) VALUES ('Bench', $1, now(), now()) RETURNING id`,
    [slug],
  );
  await query(
    url,
    `INSERT INTO memberships (organization_id, user_id, role, created_at)
     SELECT $1::uuid, id, 'owner', now() FROM users WHERE email_canonical = 'bench-admin@example.com'
     UNION ALL
     SELECT $1::uuid, u.id, 'member', now() - i * interval '1 millisecond'
       FROM generate_series(1, $2::int) AS i
       JOIN users u ON u.email_canonical = 'bench-' || i || '@example.com'`,
    [id, members],
  );
  await query(url, 'VACUUM ANALYZE memberships');
  return id;
}

/**
 * An API key (`users:read`) for each of the users, written directly as `POST /auth/api-keys` would
 * store it (the build's own text format and keyed hash, src/api-keys/), so that creating them
 * neither measures nor queues anything. Their texts, in the users' order.
 */
export async function apiKeysFor(url, emails, secret) {
  const { newApiKeyText, visiblePrefixOf } = await import('../dist/src/api-keys/api-key-text.js');
  const { ApiKeyHashes } = await import('../dist/src/api-keys/api-key-hashes.js');
  const hashes = new ApiKeyHashes({ keyEncryptionKey: keyEncryptionKeyOf(secret) });
  const rows = await query(url, 'SELECT id FROM users WHERE email = ANY($1)', [emails]);
  const keys = [];
  for (const { id } of rows) {
    const key = newApiKeyText();
    await query(
      url,
      `INSERT INTO api_keys (user_id, name, prefix, secret_hash, scopes, created_at, expires_at)
       VALUES ($1, 'bench', $2, $3, '{users:read}', now(), now() + interval '1 day')`,
      [id, visiblePrefixOf(key), hashes.of(key)],
    );
    keys.push(key);
  }
  return keys;
}

/** The bench's Ed25519 key as the one current signing key (the same one for every call on `url`). */
async function installedSigningKey(url, secret) {
  const [row] = await query(url, `SELECT kid, private_key_sealed FROM signing_keys WHERE state = 'current'`);
  const kek = keyEncryptionKeyOf(secret);
  const opened = row && openSealed(row.private_key_sealed, row.kid, kek);
  if (opened) return { header: { alg: 'EdDSA', kid: row.kid, typ: 'at+jwt' }, key: createPrivateKey(opened) };
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const { kty, crv, x } = publicKey.export({ format: 'jwk' });
  const kid = createHash('sha256').update(JSON.stringify({ crv, kty, x })).digest('base64url');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  await query(url, 'DELETE FROM signing_keys');
  await query(
    url,
    `INSERT INTO signing_keys (kid, algorithm, state, public_jwk, private_key_sealed, created_at, activated_at)
     VALUES ($1, 'EdDSA', 'current', $2, $3, now(), now())`,
    [kid, { kty, crv, x }, seal(pem, kid, kek)],
  );
  return { header: { alg: 'EdDSA', kid, typ: 'at+jwt' }, key: privateKey };
}

function seal(plaintext, context, key) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'))].join('.');
}

/** The sealed value opened, or undefined when another key (an earlier run's) sealed it. */
function openSealed(sealed, context, key) {
  const [, iv, tag, ciphertext] = sealed.split('.');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context)).setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]).toString();
  } catch {
    return undefined;
  }
}

async function tableExists(url, table) {
  const rows = await query(url, 'SELECT 1 FROM information_schema.tables WHERE table_name = $1', [table]);
  return rows.length > 0;
}

async function columnExists(url, table, column) {
  const rows = await query(
    url,
    'SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = $2',
    [table, column],
  );
  return rows.length > 0;
}
