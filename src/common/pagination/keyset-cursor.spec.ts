import { decodeCursor, encodeCursor, InvalidCursorError, positionAfter, toPage } from './keyset-cursor.js';

describe('keyset cursor', () => {
  const position = {
    createdAt: new Date('2026-11-26T16:00:00.123Z'),
    id: '0b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e',
  };

  it('round-trips a position exactly, milliseconds included', () => {
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each([
    '',
    '%%%',
    'not base64!',
    Buffer.from('2026-11-26|x').toString('base64url'),
    encodeCursor(position) + 'A',
  ])('rejects %j', (text) => {
    expect(decodeCursor(text)).toBeUndefined();
  });

  it('starts a page at the top without a cursor, after the position with one, and refuses a bad one', () => {
    expect(positionAfter(undefined)).toBeUndefined();
    expect(positionAfter(encodeCursor(position))).toEqual(position);
    expect(() => positionAfter('%%%')).toThrow(InvalidCursorError);
  });

  it('gives a next cursor only when more rows were found than the limit', () => {
    const rows = [position, { ...position, id: '1b9e4f1e-6a43-4d8f-9a53-3c1f0a5a7d2e' }];
    expect(toPage(rows, 2)).toEqual({ items: rows, next: null });
    expect(toPage(rows, 1)).toEqual({ items: [position], next: encodeCursor(position) });
  });
});
