/** The roles an account may hold; the `users.role` column stores one of them. */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is calling: the guard reads it from the database on every request (the session and the
 * account in one statement), so revocation and role changes apply at once. The users module adds
 * the caller's account (`user`) to this interface, since it owns that type (users/principal-user.ts).
 */
export interface Principal {
  userId: string;
  sessionId: string;
  role: Role;
  /** When the session last proved who holds it: its sign-in, or a reauthentication since. */
  authenticatedAt: Date;
}

/** The guard puts the caller on the request; public routes may have none. */
declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
