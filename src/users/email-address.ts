/**
 * The one canonical form of an email address: the identity of an account, and the key of every
 * lookup and every limit that counts per address. It is computed here only, in JavaScript, and
 * stored (`users.email_canonical`, which carries the unique index), so that JavaScript and SQL can
 * never disagree: PostgreSQL's lower() maps "İ" to "i" where JavaScript's maps it to "i̇", and
 * every "i" in an address once doubled the lock's independent counters.
 * In the spirit of RFC 8265's case-mapped profile: trimmed, compatibility forms mapped (NFKC, so
 * full-width letters are the plain ones), lower-cased, then composed (NFC).
 */
export function canonicalEmail(email: string): string {
  return email.trim().normalize('NFKC').toLowerCase().normalize('NFC');
}
