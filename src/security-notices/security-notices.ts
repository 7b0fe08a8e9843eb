import { Injectable, Module } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import type { Transaction } from '../database/transactions.js';
import { JobsService } from '../jobs/jobs.service.js';

/**
 * What an account's owner is told by mail, whoever changed how one signs in (docs/security-model.md,
 * I3). Each is queued in the transaction of the change, so a change that rolls back tells nobody
 * and a committed one always tells; account-emails works the queue (account-email.sender.ts).
 */
export const SECURITY_NOTICE_QUEUE = 'security-notice';

export const SECURITY_NOTICES = [
  'password-changed',
  'password-reset',
  'email-changed',
  'second-factor-added',
  'second-factor-removed',
  'recovery-codes-regenerated',
  'recovery-code-used',
  'mfa-reset',
  'account-suspended',
  'api-key-created',
] as const;
export type SecurityNotice = (typeof SECURITY_NOTICES)[number];

export interface SecurityNoticeJob {
  notice: SecurityNotice;
  userId: string;
  /** When it happened (ISO 8601). */
  at: string;
  /** Another address than the account's (an email change tells the previous one too). */
  to?: string;
  /** The address an email change moved the account to. */
  newEmail?: string;
  /** The factor added or removed. */
  factor?: 'totp' | 'passkey';
  /** Recovery codes left after one was used. */
  remaining?: number;
  /** The API key created: its name and what its owner sees of it (`gat_AbCd`). */
  apiKey?: { name: string; prefix: string };
  /** An administrator or an operator did it: the mail names no client (I7). */
  byAdministrator?: boolean;
}

export type NoticeDetails = Omit<SecurityNoticeJob, 'notice' | 'userId' | 'at'>;

/** Queues a security notice, in the caller's transaction when given. */
@Injectable()
export class SecurityNotices {
  constructor(
    private readonly jobs: JobsService,
    private readonly clock: Clock,
  ) {}

  send(userId: string, notice: SecurityNotice, transaction?: Transaction, details: NoticeDetails = {}) {
    const job: SecurityNoticeJob = { notice, userId, at: this.clock.now().toISOString(), ...details };
    return this.jobs.enqueue(SECURITY_NOTICE_QUEUE, job, transaction);
  }
}

/** Below every feature that changes how one signs in: auth, mfa and account-emails queue through it. */
@Module({ providers: [SecurityNotices], exports: [SecurityNotices] })
export class SecurityNoticesModule {}
