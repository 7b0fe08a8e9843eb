import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * The text of an API key: `gat_`, 30 random base62 characters (178 bits) and a 6-character
 * checksum (CRC32 of the random part, in base62), GitHub's convention for tokens. The prefix lets
 * secret scanners and the guard recognise a key; the checksum lets both reject a mistyped or
 * invented one without a database read. `API_KEY_PATTERN` is what a scanner searches for.
 */
export const API_KEY_PREFIX = 'gat_';
export const API_KEY_PATTERN = /gat_[A-Za-z0-9]{36}/;
const RANDOM_LENGTH = 30;
const CHECKSUM_LENGTH = 6;
/** What the list shows of a key: enough to tell keys apart, nowhere near enough to guess one. */
const VISIBLE_LENGTH = API_KEY_PREFIX.length + 4;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SHAPE = new RegExp(
  `^${API_KEY_PREFIX}([A-Za-z0-9]{${RANDOM_LENGTH}})([A-Za-z0-9]{${CHECKSUM_LENGTH}})$`,
);

/** A new key's text. */
export function newApiKeyText(): string {
  let random = '';
  while (random.length < RANDOM_LENGTH) {
    // Bytes of 248 and above are dropped so that every character is equally likely (248 = 4 × 62).
    for (const byte of randomBytes(RANDOM_LENGTH)) {
      if (byte < 248 && random.length < RANDOM_LENGTH) random += BASE62[byte % 62];
    }
  }
  return apiKeyTextOf(random);
}

/** The key whose random part is `random` (30 base62 characters): the prefix and the checksum added. */
export function apiKeyTextOf(random: string): string {
  return API_KEY_PREFIX + random + checksumOf(random);
}

/** Whether the text has a key's shape and its checksum holds: what is checked before any read. */
export function isWellFormedApiKey(text: string): boolean {
  const match = SHAPE.exec(text);
  return match !== null && checksumOf(match[1]!) === match[2];
}

/** The part of a key its owner sees in the list (`gat_AbCd`). */
export function visiblePrefixOf(text: string): string {
  return text.slice(0, VISIBLE_LENGTH);
}

function checksumOf(random: string): string {
  let value = crc32(random);
  let text = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    text = BASE62[value % 62] + text;
    value = Math.floor(value / 62);
  }
  return text;
}
