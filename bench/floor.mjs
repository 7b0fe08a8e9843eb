// The floors: the least a server can do for the app's answers — node:http, a pg Pool, the same
// queries and the same JSON, no authentication. Not part of the product; they exist to be compared
// with. `GET /api/v1/users/:id` is the floor of the single-row reads; `GET /api/v1/users?limit=20`
// `GET /api/v1/audit-events?limit=20` and `GET /api/v1/organizations/:id/members?limit=20` (each
// with `&cursor=`) are the list floor: a keyset page of 20 and its next cursor, as the app answers it.
import http from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SQL = 'SELECT id, email, name, role, email_verified, created_at, updated_at FROM users WHERE id = $1';

const USER_COLUMNS = `id, email, name, role, email_verified, status, suspended_at, suspension_reason,
  totp_enabled, passkey_count, created_at, updated_at`;
const user = (u) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  emailVerified: u.email_verified,
  status: u.status,
  suspendedAt: u.suspended_at?.toISOString() ?? null,
  suspensionReason: u.suspension_reason,
  mfa: { totp: u.totp_enabled, passkeys: u.passkey_count },
  createdAt: u.created_at.toISOString(),
  updatedAt: u.updated_at.toISOString(),
});
const event = (e) => ({
  id: e.id,
  occurredAt: e.occurred_at.toISOString(),
  type: e.type,
  actorUserId: e.actor_user_id,
  subjectUserId: e.subject_user_id,
  organizationId: e.organization_id,
  sessionId: e.session_id,
  ipAddress: e.ip_address,
  userAgent: e.user_agent,
  requestId: e.request_id,
  traceId: e.trace_id,
  details: e.details,
});
const LISTS = {
  '/api/v1/users': { table: 'users', columns: USER_COLUMNS, time: 'created_at', map: user },
  '/api/v1/audit-events': { table: 'audit_events', columns: '*', time: 'occurred_at', map: event },
};

const member = (m) => ({
  userId: m.id,
  email: m.email,
  name: m.name,
  role: m.role,
  joinedAt: m.created_at.toISOString(),
});
/** An organization's members, joined to their accounts, as the app selects them. */
const members = (organizationId) => ({
  table: `(SELECT m.user_id AS id, m.role, m.created_at, u.email, u.name
             FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.organization_id = '${organizationId}') AS m`,
  columns: '*',
  time: 'created_at',
  map: member,
});
const MEMBERS = /^\/api\/v1\/organizations\/([0-9a-f-]{36})\/members$/;

/** A page of 20 after the cursor (`<time>|<id>`, base64url), newest first, as the app pages. */
async function page(res, list, cursor) {
  const params = [];
  let where = '';
  if (cursor) {
    const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
    params.push(at, id);
    where = `WHERE (${list.time}, id) < ($1, $2)`;
  }
  params.push(21);
  const { rows } = await pool.query(
    `SELECT ${list.columns} FROM ${list.table} ${where} ORDER BY ${list.time} DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  const items = rows.slice(0, 20);
  const last = rows.length > 20 ? items.at(-1) : undefined;
  const nextCursor = last
    ? Buffer.from(`${last[list.time].toISOString()}|${last.id}`).toString('base64url')
    : null;
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ items: items.map(list.map), nextCursor }));
}

/** The single row by id. */
async function row(res, id) {
  if (!UUID.test(id)) {
    res.writeHead(404).end();
    return;
  }
  const { rows } = await pool.query(SQL, [id]);
  if (rows.length === 0) {
    res.writeHead(404).end();
    return;
  }
  const u = rows[0];
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(
    JSON.stringify({
      id: u.id,
      email: u.email,
      name: u.name,
      role: u.role,
      emailVerified: u.email_verified,
      createdAt: u.created_at.toISOString(),
      updatedAt: u.updated_at.toISOString(),
    }),
  );
}

const server = http.createServer(async (req, res) => {
  // The single row first, with no URL parsed: that floor is the one the history is measured against.
  if (req.url.startsWith('/api/v1/users/')) return row(res, req.url.slice('/api/v1/users/'.length));
  const url = new URL(req.url, 'http://floor');
  const organization = MEMBERS.exec(url.pathname)?.[1];
  const list = organization ? members(organization) : LISTS[url.pathname];
  if (list) return page(res, list, url.searchParams.get('cursor'));
  res.writeHead(404).end();
});
server.listen(Number(process.env.PORT ?? 3999), '127.0.0.1', () => process.send?.('ready'));
