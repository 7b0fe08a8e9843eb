import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { CredentialChecks } from '../auth/credential-checks.js';
import { MfaChallenges } from '../auth/mfa-challenges.js';
import type { SessionPrincipal } from '../access/principal.js';
import { SessionsService } from '../auth/sessions.service.js';
import { Clock } from '../common/clock.js';
import { authConfig, type AuthConfig } from '../config/auth.config.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { SecurityNotices } from '../security-notices/security-notices.js';
import {
  EmailNotVerifiedError,
  TotpAlreadyEnabledError,
  TotpNotSetUpError,
  WrongSecondFactorError,
} from './mfa.errors.js';
import { newRecoveryCodes, RecoveryCodeHashes } from './recovery-codes.js';
import { SecondFactors, type SecondFactorProof } from './second-factors.js';
import { SecondFactorsRepository } from './second-factors.repository.js';
import { SecretBox } from '../common/secret-box.js';
import { matchingStep, newTotpSecret, totpUri } from './totp.js';

export interface TotpSetup {
  secret: string;
  otpauthUri: string;
  qrCodeSvg: string;
}

/**
 * An authenticator app's life: set up (the secret shown once), confirmed by a first code (then
 * login asks for codes, recovery codes are issued and every other session ends), turned off, and
 * its recovery codes replaced. What proves the caller is the account's holder: the current
 * password (under the login lock) and, once enabled, a code.
 */
@Injectable()
export class TotpService {
  private readonly logger = new Logger('Mfa');

  constructor(
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
    private readonly users: UsersService,
    private readonly credentials: CredentialChecks,
    private readonly sessions: SessionsService,
    private readonly challenges: MfaChallenges,
    private readonly factors: SecondFactorsRepository,
    private readonly secondFactors: SecondFactors,
    private readonly box: SecretBox,
    private readonly recoveryCodes: RecoveryCodeHashes,
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly notices: SecurityNotices,
  ) {}

  async setUp(principal: SessionPrincipal, currentPassword: string): Promise<TotpSetup> {
    const user = await this.users.getById(principal.userId);
    await this.credentials.checkCurrentPassword(user, currentPassword);
    if (!user.emailVerified) throw new EmailNotVerifiedError();
    if (user.totpEnabled) throw new TotpAlreadyEnabledError();
    const secret = newTotpSecret();
    const stored = await this.factors.setUpTotp(user.id, this.box.seal(secret, user.id), this.clock.now());
    if (!stored) throw new TotpAlreadyEnabledError();
    const otpauthUri = totpUri(secret, this.config.mfaIssuer, user.email);
    // qrcode and its PNG encoder load with the first set-up, not at boot.
    const { default: QRCode } = await import('qrcode');
    const qrCodeSvg = await QRCode.toString(otpauthUri, {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
    });
    return { secret, otpauthUri, qrCodeSvg };
  }

  /** The first right code turns it on; the answer is the recovery codes, shown this once. */
  async confirm(principal: SessionPrincipal, code: string): Promise<string[]> {
    const factor = await this.factors.findTotp(principal.userId);
    if (!factor || factor.confirmedAt) throw new TotpNotSetUpError(Boolean(factor?.confirmedAt));
    const now = this.clock.now();
    const step = matchingStep(this.box.open(factor.secretSealed, principal.userId), code, now);
    if (step === null) throw new WrongSecondFactorError('code');
    const codes = newRecoveryCodes();
    await this.transactions.run(async (transaction) => {
      const user = await this.users.getForUpdate(principal.userId, transaction);
      if (!(await this.factors.spendStep(user.id, step, { confirmAt: now, transaction })))
        throw new TotpNotSetUpError(true);
      await this.factors.replaceRecoveryCodes(
        user.id,
        codes.map((issued) => this.recoveryCodes.of(issued)),
        now,
        transaction,
      );
      await this.users.setSecondFactors(user.id, { totpEnabled: true }, transaction);
      await this.sessions.endAllOf(user.id, { except: principal.sessionId, transaction });
      await this.challenges.forgetAllOf(user.id, transaction);
      await this.audit.record({ type: 'mfa.totp-enabled', subjectUserId: user.id }, transaction);
      await this.notices.send(user.id, 'second-factor-added', transaction, { factor: 'totp' });
    });
    this.logger.log(`authenticator app enabled (user ${principal.userId})`);
    return codes;
  }

  /** Needs the password and a code (or a recovery code); the recovery codes go with it. */
  async disable(
    principal: SessionPrincipal,
    currentPassword: string,
    proof: SecondFactorProof,
  ): Promise<void> {
    await this.withProof(principal, currentPassword, proof, async (user, transaction) => {
      await this.factors.deleteTotp(user.id, transaction);
      await this.users.setSecondFactors(user.id, { totpEnabled: false }, transaction);
      await this.challenges.forgetAllOf(user.id, transaction);
      await this.audit.record({ type: 'mfa.totp-disabled', subjectUserId: user.id }, transaction);
      await this.notices.send(user.id, 'second-factor-removed', transaction, { factor: 'totp' });
    });
    this.logger.log(`authenticator app disabled (user ${principal.userId})`);
  }

  /** A fresh set of recovery codes; every earlier one, used or not, stops working. */
  async regenerateRecoveryCodes(
    principal: SessionPrincipal,
    currentPassword: string,
    proof: SecondFactorProof,
  ): Promise<string[]> {
    const codes = newRecoveryCodes();
    await this.withProof(principal, currentPassword, proof, async (user, transaction) => {
      await this.factors.replaceRecoveryCodes(
        user.id,
        codes.map((issued) => this.recoveryCodes.of(issued)),
        this.clock.now(),
        transaction,
      );
      await this.audit.record(
        { type: 'mfa.recovery-codes-regenerated', subjectUserId: user.id },
        transaction,
      );
      await this.notices.send(user.id, 'recovery-codes-regenerated', transaction);
    });
    return codes;
  }

  /**
   * Checks the password, then spends the proof and makes the change in one transaction (a wrong
   * proof changes nothing and counts toward the login lock).
   */
  private async withProof(
    principal: SessionPrincipal,
    currentPassword: string,
    proof: SecondFactorProof,
    change: (user: User, transaction: Transaction) => Promise<void>,
  ): Promise<void> {
    const user = await this.users.getById(principal.userId);
    await this.credentials.checkCurrentPassword(user, currentPassword);
    if (!user.totpEnabled) throw new TotpNotSetUpError(false);
    const method = 'code' in proof ? 'totp' : 'recovery-code';
    const attempt = await this.credentials.beginSecondFactor(user, { signIn: false, method });
    const accepted = await this.secondFactors.withProof(user, proof, change);
    await this.credentials.settleSecondFactor(attempt, accepted);
    if (!accepted) throw new WrongSecondFactorError('code' in proof ? 'code' : 'recoveryCode');
  }
}
