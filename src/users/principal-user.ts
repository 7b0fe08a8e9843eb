import type { User } from './entities/user.entity.js';

/**
 * The caller's account, as the guard read it with the session (`GET /users/me` needs nothing
 * more). Added here, by the module that owns `User`, so that the access layer stays below it.
 */
declare module '../access/principal.js' {
  interface PrincipalBase {
    user: User;
  }
}
