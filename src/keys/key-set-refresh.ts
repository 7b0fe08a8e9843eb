/**
 * How often every instance reads the key set again. A key is published AUTH_JWKS_MAX_AGE + one
 * access-token lifetime (20 minutes by default) before it signs, so a poll this frequent learns it
 * long before any token it signs arrives; see SigningKeys for why it is a poll and not LISTEN.
 * A file of its own: the CLI names it before it loads anything.
 */
export const KEY_SET_REFRESH_SECONDS = 30;
