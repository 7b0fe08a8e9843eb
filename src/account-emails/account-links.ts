import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { hashOpaqueToken } from '../common/opaque-tokens.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { AccountRateLimit } from '../rate-limit/rate-limit.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { InvalidAccountTokenError, TooManyEmailsError } from './account-emails.errors.js';
import { bindingOf } from './account-token-binding.js';
import { AccountTokensRepository, type SpentToken } from './account-tokens.repository.js';
import type { AccountTokenPurpose } from './entities/account-token.entity.js';

/**
 * What every account link shares, whatever it is for (verification, reset, email change): finding
 * whose a live link is, spending one with its change in one transaction, and the per-account limit
 * on the mails that carry them.
 */
@Injectable()
export class AccountLinks {
  constructor(
    private readonly tokens: AccountTokensRepository,
    private readonly users: UsersService,
    private readonly transactions: Transactions,
    private readonly limits: AccountRateLimit,
    private readonly clock: Clock,
  ) {}

  /**
   * The user a usable token belongs to, without spending it. A suspended user is returned before
   * the binding is compared (the suspension revoked their links), so that the holder of a link is
   * told the account is suspended rather than that the link is wrong.
   */
  async holderOf(purpose: AccountTokenPurpose, hash: Buffer): Promise<User | null> {
    const found = await this.tokens.findUsable(purpose, hash, this.clock.now());
    const user = found && (await this.users.findById(found.userId));
    if (user?.status === 'suspended') return user;
    return user && found.boundTo.equals(bindingOf(purpose, user)) ? user : null;
  }

  /**
   * Spends the token and applies what it allows, in one transaction with the user's row locked, so
   * that of concurrent uses one succeeds and a concurrent change of what it is bound to wins or loses
   * as a whole. The user's id; `InvalidAccountTokenError` for a token that is unknown, spent, expired
   * or no longer bound to what its user has now.
   */
  async spend(
    purpose: AccountTokenPurpose,
    token: string,
    apply: (user: User, spent: SpentToken, transaction: Transaction) => Promise<void>,
  ): Promise<string> {
    const userId = await this.transactions.run(async (transaction) => {
      const spent = await this.tokens.spend(purpose, hashOpaqueToken(token), this.clock.now(), transaction);
      const user = spent && (await this.users.findForUpdate(spent.userId, transaction));
      if (!user || !spent.boundTo.equals(bindingOf(purpose, user))) return null;
      await apply(user, spent, transaction);
      return user.id;
    });
    if (!userId) throw new InvalidAccountTokenError();
    return userId;
  }

  /** Refuses another mail to this account (or address) within its limit: `TooManyEmailsError`. */
  async throttle(account: string): Promise<void> {
    const retryAfter = await this.limits.emailRetryAfter(account);
    if (retryAfter > 0) throw new TooManyEmailsError(retryAfter);
  }
}
