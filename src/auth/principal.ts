import type { User, UserRole } from '../users/entities/user.entity.js';

/**
 * Who is calling: the guard reads it from the database on every request (the session and the
 * account in one statement), so revocation and role changes apply at once.
 */
export interface Principal {
  userId: string;
  sessionId: string;
  role: UserRole;
  /** When the session last proved who holds it: its sign-in, or a reauthentication since. */
  authenticatedAt: Date;
  /** The caller's account as this request found it (`GET /users/me` needs nothing more). */
  user: User;
}

/** The guard puts the caller on the request; public routes may have none. */
declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
