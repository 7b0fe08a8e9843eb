import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562) ids for audit events: the event's millisecond in the first 48 bits, then a
 * 12-bit counter that orders the events one process records within a millisecond (method 1 of
 * the RFC's section 6.2), then random bits. The log's order is `(occurred_at, id)`, so a failed
 * login and the lock it engaged, recorded in the same millisecond, keep their order.
 */
@Injectable()
export class EventIds {
  private lastMs = -1;
  private counter = 0;

  next(at: Date): string {
    const ms = at.getTime();
    if (ms === this.lastMs && this.counter < 0xfff) this.counter++;
    else this.counter = ms === this.lastMs ? 0 : randomBytes(1)[0] >> 2;
    this.lastMs = ms;
    const bytes = randomBytes(16);
    bytes.writeUIntBE(ms, 0, 6);
    bytes[6] = 0x70 | (this.counter >> 8);
    bytes[7] = this.counter & 0xff;
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}
