import { scriptRestrictionProblem, type RestrictionLevel } from './script-restriction.js';

const accepts = (email: string, level: RestrictionLevel) =>
  scriptRestrictionProblem(email, level) === undefined;

describe('scriptRestrictionProblem (UTS #39 restriction levels, per part of the address)', () => {
  it.each([
    ['plain ASCII', 'rt-alice+tag@example.com'],
    ['one script with digits and punctuation', 'ålesund-99@exämple.no'],
    ['Cyrillic throughout', 'алиса@пример.рф'],
    ['Latin with Japanese', 'tanakaたなか田中@example.jp'],
    ['Latin with Han and Hangul', 'kim김金@example.kr'],
    ['a different script in each part', 'алиса@example.com'],
  ])('accepts %s at highly-restrictive', (_, email) => {
    expect(accepts(email, 'highly-restrictive')).toBe(true);
  });

  it.each([
    ['a Cyrillic "а" among Latin letters', 'rt-\u0430lice@example.com'],
    ['a Greek "ο" among Latin letters in the domain', 'alice@ex\u03bfmple.com'],
    ['Latin with Hebrew', 'dan\u05d3@example.com'],
    ['Japanese kana with Hangul', '\u305f\uae40@example.jp'],
    ['a historic script', 'rune\u16a0@example.com'],
  ])('refuses %s at highly-restrictive, and says why', (_, email) => {
    expect(scriptRestrictionProblem(email, 'highly-restrictive')).toContain(
      'mixes letters of different scripts',
    );
  });

  it('lets each level through exactly what it names', () => {
    const latinHebrew = 'dan\u05d3@example.com';
    const latinCyrillic = 'rt-\u0430lice@example.com';
    expect([
      accepts(latinHebrew, 'moderately-restrictive'),
      accepts(latinCyrillic, 'moderately-restrictive'),
    ]).toEqual([true, false]);
    expect(accepts(latinCyrillic, 'unrestricted')).toBe(true);
    expect(accepts('tanakaたなか@example.jp', 'single-script')).toBe(false);
    expect(accepts('たなかタナカ田中@example.jp', 'single-script')).toBe(true);
    expect(accepts('たなか김@example.jp', 'single-script')).toBe(false);
    expect(scriptRestrictionProblem('ålesund@example.no', 'ascii')).toBe('must be ASCII only');
    expect(accepts('alesund@example.no', 'ascii')).toBe(true);
  });
});
