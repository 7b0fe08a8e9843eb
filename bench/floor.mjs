// The floor: the least a server can do for GET /api/v1/users/:id — node:http, a pg Pool, the same
// query and the same JSON as the app. Not part of the product; it exists to be compared with.
import http from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SQL = 'SELECT id, email, name, role, email_verified, created_at, updated_at FROM users WHERE id = $1';

const server = http.createServer(async (req, res) => {
  const id = req.url.slice('/api/v1/users/'.length);
  if (!req.url.startsWith('/api/v1/users/') || !UUID.test(id)) {
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
});
server.listen(Number(process.env.PORT ?? 3999), '127.0.0.1', () => process.send?.('ready'));
