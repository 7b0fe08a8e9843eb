import { DomainError } from '../errors/domain-error.js';

/**
 * An opaque cursor for keyset pagination on `(created_at, id)`: the position of the last row of a
 * page. Opaque to clients (base64url), exact for us (millisecond timestamps round-trip through Date).
 */
export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function encodeCursor({ createdAt, id }: KeysetPosition): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

/** The position in a cursor, or undefined when the text is not a cursor we made. */
export function decodeCursor(cursor: string): KeysetPosition | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const [createdAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !ISO.test(createdAt ?? '') || !UUID.test(id ?? '')) return undefined;
  const date = new Date(createdAt);
  return Number.isNaN(date.getTime()) ? undefined : { createdAt: date, id };
}

export class InvalidCursorError extends DomainError {
  readonly code = 'INVALID_CURSOR';
  override readonly errors = [{ parameter: 'cursor', detail: 'is not a cursor this API returned' }];
  constructor() {
    super('The cursor is not valid.');
  }
}

/** Where a page starts: after the cursor's position, or at the top without one. */
export function positionAfter(cursor: string | undefined): KeysetPosition | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeCursor(cursor);
  if (!position) throw new InvalidCursorError();
  return position;
}

/** Rows fetched one past the limit tell whether another page follows. */
export function toPage<T extends KeysetPosition>(
  rows: T[],
  limit: number,
): { items: T[]; next: string | null } {
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? encodeCursor(items[items.length - 1]) : null };
}
