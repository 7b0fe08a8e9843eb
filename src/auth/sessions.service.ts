import { Injectable } from '@nestjs/common';
import type { Transaction } from '../database/transactions.js';
import { SessionsRepository } from './sessions.repository.js';

/** The auth module's face to other modules for the sessions it owns (account emails end them on a reset). */
@Injectable()
export class SessionsService {
  constructor(private readonly sessions: SessionsRepository) {}

  /** Ends every session of the user (but `except`), in the caller's transaction when given. */
  endAllOf(userId: string, options: { except?: string; transaction?: Transaction } = {}): Promise<void> {
    return this.sessions.deleteAllOf(userId, options.except, options.transaction);
  }
}
