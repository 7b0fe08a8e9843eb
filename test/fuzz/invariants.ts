import type { DataSource } from 'typeorm';

/**
 * What must hold of the data whatever requests came, in whatever order or at the same moment, and
 * that no constraint of the schema enforces. Each is a query for the rows that break it.
 */
const INVARIANTS: [name: string, sql: string][] = [
  ['stored passwords are argon2id hashes', `SELECT id FROM users WHERE password_hash NOT LIKE '$argon2id$%'`],
  [
    'every live session has exactly one unspent refresh token',
    `SELECT s.id FROM sessions s
      WHERE (SELECT count(*) FROM refresh_tokens r WHERE r.session_id = s.id AND r.spent_at IS NULL) <> 1`,
  ],
  [
    "a session's unspent refresh token is its newest",
    `SELECT r.session_id FROM refresh_tokens r
      WHERE r.spent_at IS NULL AND EXISTS (
        SELECT 1 FROM refresh_tokens o WHERE o.session_id = r.session_id AND o.created_at > r.created_at)`,
  ],
  [
    'a suspended account has no session',
    `SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.status <> 'active'`,
  ],
  [
    'at least one active admin is left',
    `SELECT 'none' AS admins WHERE NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND status = 'active')`,
  ],
  ['an account changes after it was made', `SELECT id FROM users WHERE updated_at < created_at`],
  [
    'a session is used after it starts and expires after its last use',
    `SELECT id FROM sessions WHERE last_used_at < created_at OR expires_at <= last_used_at`,
  ],
  [
    'a refresh token is made within its session and spent after it is made',
    `SELECT r.session_id FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id
      WHERE r.created_at < s.created_at OR r.spent_at < r.created_at`,
  ],
  [
    'a link expires after it is made',
    `SELECT encode(token_hash, 'hex') AS token_hash FROM account_tokens WHERE expires_at <= created_at`,
  ],
  [
    'every organization has an owner',
    `SELECT o.id FROM organizations o
      WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = o.id AND m.role = 'owner')`,
  ],
];

/** The invariants that do not hold, each with (up to five of) the rows that break it. */
export async function brokenInvariants(db: DataSource): Promise<string[]> {
  const broken: string[] = [];
  for (const [name, sql] of INVARIANTS) {
    const rows: unknown[] = await db.query(sql);
    if (rows.length > 0) broken.push(`${name}: ${JSON.stringify(rows.slice(0, 5))}`);
  }
  return broken;
}
