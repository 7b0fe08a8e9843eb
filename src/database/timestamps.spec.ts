import { jest } from '@jest/globals';
import fc from 'fast-check';
import pg from 'pg';
import { parseTimestamptz, TYPE_PARSERS } from './timestamps.js';

const postgresDate = pg.types.getTypeParser(1184, 'text') as (text: string) => unknown;
/** This parser alone: a value it leaves to pg's parser fails the test. */
const parsed = (text: string) =>
  parseTimestamptz(text, () => {
    throw new Error(`left ${text} to pg's parser`);
  });
const two = (n: number) => String(n).padStart(2, '0');

/** A timestamptz as PostgreSQL's ISO output writes it: the fraction's trailing zeros dropped. */
const isoOutput = fc
  .record({
    at: fc.date({
      min: new Date('0100-01-02T00:00:00Z'),
      max: new Date('9999-12-30T00:00:00Z'),
      noInvalidDate: true,
    }),
    micros: fc.integer({ min: 0, max: 999_999 }),
    offsetMinutes: fc.integer({ min: -15 * 60 - 59, max: 15 * 60 + 59 }),
    offsetSeconds: fc.constantFrom(0, 0, 0, 17),
  })
  .map(({ at, micros, offsetMinutes, offsetSeconds }) => {
    const local = new Date(at.getTime() + offsetMinutes * 60_000);
    const date = `${String(local.getUTCFullYear()).padStart(4, '0')}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())}`;
    const time = `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}`;
    const fraction = micros === 0 ? '' : `.${String(micros).padStart(6, '0').replace(/0+$/, '')}`;
    const sign = offsetMinutes < 0 ? '-' : '+';
    const minutes = Math.abs(offsetMinutes);
    const zone =
      `${sign}${two(Math.floor(minutes / 60))}` +
      (minutes % 60 || offsetSeconds ? `:${two(minutes % 60)}` : '') +
      (offsetSeconds ? `:${two(offsetSeconds)}` : '');
    return `${date} ${time}${fraction}${zone}`;
  });

describe('parseTimestamptz', () => {
  it('reads every ISO timestamptz as the same instant as pg’s own parser', () => {
    fc.assert(
      fc.property(isoOutput, (text) => {
        expect((parsed(text) as Date).getTime()).toBe((postgresDate(text) as Date).getTime());
      }),
      { numRuns: 5_000 },
    );
  });

  it.each([
    ['2026-12-07 12:34:56+00', '2026-12-07T12:34:56.000Z'],
    ['2026-12-07 12:34:56.5+00', '2026-12-07T12:34:56.500Z'],
    ['2026-12-07 12:34:56.123999+00', '2026-12-07T12:34:56.123Z'],
    ['2026-12-07 14:04:56.07+01:30', '2026-12-07T12:34:56.070Z'],
    ['2026-12-07 07:34:56-05', '2026-12-07T12:34:56.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect((parsed(text) as Date).toISOString()).toBe(iso);
  });

  it.each([
    'infinity',
    '-infinity',
    '2026-12-07 12:34:56+00 BC',
    '12026-12-07 12:34:56+00',
    '0050-12-07 12:34:56+00',
  ])('leaves %s to pg’s parser', (text) => {
    const fallback = jest.fn(() => 'fallback');
    expect(parseTimestamptz(text, fallback)).toBe('fallback');
    expect(fallback).toHaveBeenCalledWith(text);
  });

  it('is the pool’s parser of timestamptz text only', () => {
    const parser = TYPE_PARSERS.getTypeParser(1184, 'text') as (text: string) => unknown;
    expect((parser('2026-12-07 12:34:56+00') as Date).toISOString()).toBe('2026-12-07T12:34:56.000Z');
    expect(TYPE_PARSERS.getTypeParser(1184, 'binary')).toBe(pg.types.getTypeParser(1184, 'binary'));
    expect(TYPE_PARSERS.getTypeParser(23, 'text')).toBe(pg.types.getTypeParser(23, 'text'));
  });
});
