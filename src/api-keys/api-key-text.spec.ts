import { crc32 } from 'node:zlib';
import { API_KEY_PATTERN, isWellFormedApiKey, newApiKeyText, visiblePrefixOf } from './api-key-text.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The checksum as the format's description says it, written apart from the code under test. */
function checksum(random: string): string {
  let value = crc32(random);
  const digits: string[] = [];
  for (let i = 0; i < 6; i++, value = Math.floor(value / 62)) digits.unshift(BASE62[value % 62]!);
  return digits.join('');
}

describe('API key text', () => {
  it('is gat_, 30 random base62 characters and their CRC32 in 6 base62 characters', () => {
    for (let i = 0; i < 200; i++) {
      const key = newApiKeyText();
      expect(key).toMatch(/^gat_[A-Za-z0-9]{36}$/);
      expect(key.slice(34)).toBe(checksum(key.slice(4, 34)));
      expect(isWellFormedApiKey(key)).toBe(true);
      expect(API_KEY_PATTERN.test(`token: ${key}`)).toBe(true);
    }
  });

  it('draws every character of the alphabet, none more than its share', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++)
      for (const c of newApiKeyText().slice(4, 34)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect([...counts.keys()].toSorted().join('')).toBe([...BASE62].toSorted().join(''));
    // 120,000 draws: about 1,935 each (σ ≈ 44); a byte taken modulo 62 without rejecting 248-255
    // gives '0' to '7' 5/256 each, about 2,344.
    for (const count of counts.values()) expect(count).toBeLessThan(2150);
  });

  it('refuses another prefix, length or alphabet, and any change to the random part or the checksum', () => {
    const key = newApiKeyText();
    const swap = (at: number) => key.slice(0, at) + (key[at] === 'a' ? 'b' : 'a') + key.slice(at + 1);
    for (const wrong of [
      `gah_${key.slice(4)}`,
      `Gat_${key.slice(4)}`,
      key.slice(0, -1),
      `${key}a`,
      `${key.slice(0, 20)}-${key.slice(21)}`,
      ` ${key}`,
      swap(4),
      swap(20),
      swap(33),
      swap(34),
      swap(39),
      '',
    ])
      expect({ wrong, valid: isWellFormedApiKey(wrong) }).toEqual({ wrong, valid: false });
  });

  it('shows its owner the prefix and four characters', () => {
    expect(visiblePrefixOf('gat_AbCdEfGhIj')).toBe('gat_AbCd');
  });
});
