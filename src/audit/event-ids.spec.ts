import { EventIds } from './event-ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('EventIds', () => {
  it('makes UUIDv7s that carry the millisecond and sort in the order they were made', () => {
    const ids = new EventIds();
    const at = new Date('2026-11-30T08:00:00.123Z');
    const made = Array.from({ length: 500 }, (_, n) =>
      ids.next(new Date(at.getTime() + Math.floor(n / 100))),
    );
    for (const id of made) expect(id).toMatch(UUID_V7);
    expect(made.toSorted()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
    expect(parseInt(made[0].replace('-', '').slice(0, 12), 16)).toBe(at.getTime());
  });

  it('stays unique when a millisecond holds more ids than its counter counts', () => {
    const ids = new EventIds();
    const at = new Date('2026-11-30T08:00:00.000Z');
    const made = Array.from({ length: 5000 }, () => ids.next(at));
    expect(new Set(made).size).toBe(made.length);
  });
});
