import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/**
 * Set as soon as shutdown begins (before connections close), so that readiness turns 503 and a
 * load balancer stops sending new requests while the ones in flight finish.
 */
@Injectable()
export class Draining implements BeforeApplicationShutdown {
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  beforeApplicationShutdown(): void {
    this.draining = true;
  }
}
