/**
 * Mixed-script detection from Unicode's security mechanisms (UTS #39 §5): "rt-аlice" (a Cyrillic
 * "а" among Latin letters) must not become a second account beside "rt-alice". Each part of an
 * address (the local part, each domain label) is checked on its own, as an identifier.
 *
 * Levels, strictest first, as UTS #39 §5.2 names them:
 * - `ascii`: ASCII only.
 * - `single-script`: one script per part (digits and punctuation belong to every script; the scripts
 *   of Japanese, of Chinese with Bopomofo, and of Korean each count as one).
 * - `highly-restrictive` (the default): one script, or Latin with the scripts written together in
 *   Chinese, Japanese or Korean (Han, Hiragana, Katakana, Bopomofo, Hangul).
 * - `moderately-restrictive`: also Latin with any one other recommended script but Cyrillic and Greek,
 *   the two that hold most look-alikes of Latin letters.
 * - `unrestricted`: no check.
 * Below `unrestricted`, letters of scripts outside UTS #31's recommended set (historic and limited-use
 * scripts) are refused too. Whole-script look-alikes ("аlісе" all in Cyrillic) are single-script and
 * pass: telling them apart needs Unicode's confusables table, which this does not carry.
 */
export const RESTRICTION_LEVELS = [
  'ascii',
  'single-script',
  'highly-restrictive',
  'moderately-restrictive',
  'unrestricted',
] as const;
export type RestrictionLevel = (typeof RESTRICTION_LEVELS)[number];

/** UTS #31 Table 5, the scripts recommended for identifiers (Common and Inherited aside). */
const RECOMMENDED_SCRIPTS = [
  'Arabic', 'Armenian', 'Bengali', 'Bopomofo', 'Cyrillic', 'Devanagari', 'Ethiopic', 'Georgian',
  'Greek', 'Gujarati', 'Gurmukhi', 'Han', 'Hangul', 'Hebrew', 'Hiragana', 'Kannada', 'Katakana',
  'Khmer', 'Lao', 'Latin', 'Malayalam', 'Myanmar', 'Oriya', 'Sinhala', 'Tamil', 'Telugu', 'Thaana',
  'Thai', 'Tibetan',
] as const; // prettier-ignore
type Script = (typeof RECOMMENDED_SCRIPTS)[number];

/** Each script with its Script_Extensions pattern: a character may belong to several ("ー": Hiragana and Katakana). */
const SCRIPT_PATTERNS = RECOMMENDED_SCRIPTS.map(
  (script) => [script, new RegExp(`\\p{scx=${script}}`, 'u')] as const,
);
const EVERY_SCRIPT = /[\p{scx=Common}\p{scx=Inherited}]/u;

/**
 * The scripts one East Asian writing system combines, which UTS #39 counts as one script (its
 * "augmented script sets": Japanese, Chinese with Bopomofo, Korean).
 */
const WRITING_SYSTEMS: readonly (readonly Script[])[] = [
  ['Han', 'Hiragana', 'Katakana'],
  ['Han', 'Bopomofo'],
  ['Han', 'Hangul'],
];
const MODERATELY_RESTRICTIVE_PARTNERS = RECOMMENDED_SCRIPTS.filter(
  (script) => script !== 'Latin' && script !== 'Cyrillic' && script !== 'Greek',
);

/** The recommended scripts of each character that belongs to some but not to all; undefined for one that belongs to none. */
function scriptSets(part: string): (Script[] | undefined)[] {
  const sets: (Script[] | undefined)[] = [];
  for (const character of part) {
    if (EVERY_SCRIPT.test(character)) continue;
    const scripts = SCRIPT_PATTERNS.filter(([, pattern]) => pattern.test(character)).map(
      ([script]) => script,
    );
    sets.push(scripts.length > 0 ? scripts : undefined);
  }
  return sets;
}

/** True when one of `allowed` covers every character. */
const coveredBy = (sets: Script[][], allowed: readonly Script[]) =>
  sets.every((scripts) => scripts.some((script) => allowed.includes(script)));

function meetsLevel(part: string, level: Exclude<RestrictionLevel, 'unrestricted'>): boolean {
  // oxlint-disable-next-line no-control-regex -- ASCII is the range being tested for
  if (level === 'ascii') return /^[\x00-\x7f]*$/.test(part);
  const sets = scriptSets(part);
  if (sets.some((scripts) => scripts === undefined)) return false;
  const known = sets as Script[][];
  const single =
    RECOMMENDED_SCRIPTS.some((script) => coveredBy(known, [script])) ||
    WRITING_SYSTEMS.some((system) => coveredBy(known, system));
  if (single || level === 'single-script') return single;
  if (WRITING_SYSTEMS.some((system) => coveredBy(known, ['Latin', ...system]))) return true;
  if (level === 'highly-restrictive') return false;
  return MODERATELY_RESTRICTIVE_PARTNERS.some((partner) => coveredBy(known, ['Latin', partner]));
}

/** Why `email` does not meet `level`, or undefined when it does. */
export function scriptRestrictionProblem(email: string, level: RestrictionLevel): string | undefined {
  if (level === 'unrestricted') return undefined;
  const at = email.lastIndexOf('@');
  const parts = [email.slice(0, at), ...email.slice(at + 1).split('.')];
  if (parts.every((part) => meetsLevel(part, level))) return undefined;
  return level === 'ascii'
    ? 'must be ASCII only'
    : 'mixes letters of different scripts in one part (such as a Cyrillic "а" among Latin letters), or uses a script not recommended for identifiers';
}
