import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { CredentialChecks } from '../auth/credential-checks.js';
import type { SessionPrincipal } from '../access/principal.js';
import { SessionsService } from '../auth/sessions.service.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import { TotpNotSetUpError, WrongSecondFactorError } from '../mfa/mfa.errors.js';
import { PasskeySignIn } from '../mfa/passkey-sign-in.service.js';
import { SecondFactors, type SecondFactorProof } from '../mfa/second-factors.js';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';

export type ReauthenticationProof =
  { currentPassword: string } | SecondFactorProof | { passkey: AuthenticationResponseJSON };

/**
 * "Sudo mode": a signed-in session proves again who holds it, so that for
 * AUTH_REAUTHENTICATION_WINDOW it may weaken the account (docs/security-model.md, I2). Every proof
 * is checked under the address's login lock, as at a sign-in: a stolen access token buys no more
 * guesses at the password or a code than the sign-in form does.
 */
@Injectable()
export class ReauthenticationService {
  private readonly logger = new Logger('Reauthentication');

  constructor(
    private readonly credentials: CredentialChecks,
    private readonly sessions: SessionsService,
    private readonly secondFactors: SecondFactors,
    private readonly passkeys: PasskeySignIn,
    private readonly transactions: Transactions,
    private readonly audit: AuditLog,
  ) {}

  async reauthenticate(principal: SessionPrincipal, proof: ReauthenticationProof): Promise<void> {
    const user = principal.user;
    if ('currentPassword' in proof) {
      await this.credentials.checkCurrentPassword(user, proof.currentPassword);
      await this.transactions.run((transaction) => this.renew(principal, 'password', transaction));
    } else if ('passkey' in proof) {
      await this.passkeys.reauthenticate(principal, proof.passkey, (transaction) =>
        this.renew(principal, 'passkey', transaction),
      );
    } else {
      if (!user.totpEnabled) throw new TotpNotSetUpError(false);
      const method = 'code' in proof ? 'totp' : 'recovery-code';
      const attempt = await this.credentials.beginSecondFactor(user, { signIn: false, method });
      const accepted = await this.secondFactors.withProof(user, proof, (_, transaction) =>
        this.renew(principal, method, transaction),
      );
      await this.credentials.settleSecondFactor(attempt, accepted);
      if (!accepted) throw new WrongSecondFactorError('code' in proof ? 'code' : 'recoveryCode');
    }
    this.logger.log(`session reauthenticated (user ${principal.userId}, session ${principal.sessionId})`);
  }

  private async renew(principal: SessionPrincipal, proof: string, transaction: Transaction): Promise<void> {
    await this.sessions.markAuthenticated(principal.sessionId, transaction);
    const event = {
      type: 'session.reauthenticated',
      subjectUserId: principal.userId,
      details: { proof },
    } as const;
    await this.audit.record(event, transaction);
  }
}
