import { Injectable } from '@nestjs/common';
import { AccountEmailsService } from '../account-emails/account-emails.service.js';
import { AuditLog } from '../audit/audit-log.js';
import { AuditEventResponseDto } from '../audit/dto/audit-event-response.dto.js';
import { AccountAccessService } from '../auth/account-access.service.js';
import { SuspendUserDto } from '../auth/dto/suspend-user.dto.js';
import { DeadJobs, type DeadJob } from '../jobs/dead-jobs.js';
import { SigningKeys } from '../keys/signing-keys.js';
import { CreateUserDto } from '../users/dto/create-user.dto.js';
import type { User } from '../users/entities/user.entity.js';
import { UserNotFoundError } from '../users/users.errors.js';
import { UsersService } from '../users/users.service.js';
import { InvalidCommandInputError, validated } from './command-input.js';
import { UserAdministration } from '../users/user-administration.service.js';

/**
 * What operators without HTTP access can do (src/cli/cli.ts parses the command line): the admin
 * operations of the API, through the same services, so the same rules hold (the last active admin
 * stays, a suspended user gets no reset link). Users are named by email, however it is spelled.
 */
@Injectable()
export class AdminCommands {
  constructor(
    private readonly users: UsersService,
    private readonly administration: UserAdministration,
    private readonly access: AccountAccessService,
    private readonly accountEmails: AccountEmailsService,
    private readonly deadJobs: DeadJobs,
    private readonly audit: AuditLog,
    private readonly signingKeys: SigningKeys,
  ) {}

  /**
   * An admin with the password from ADMIN_PASSWORD, or the existing user of that email promoted. An
   * existing account whose address was never verified may be someone else's squat on it, so it is
   * promoted only with `reset`: the operator's password, the address verified, and every factor,
   * session, pending sign-in and link of whoever set it up removed (docs/security-model.md, I1).
   */
  async createAdmin(input: { email: string; name: string; password: string }, { reset = false } = {}) {
    const signUp = validated(CreateUserDto, input);
    const existing = await this.users.findByEmail(signUp.email);
    if (existing && reset) await this.accountEmails.resetByOperator(existing.id, signUp.password);
    else if (existing && !existing.emailVerified)
      throw new InvalidCommandInputError([
        `${existing.email} has an account whose address was never verified: whoever made it may not own the mailbox, and would keep its password and factors as an admin.`,
        'Run create-admin again with --reset to set the password from ADMIN_PASSWORD and remove its factors, sessions and links first.',
      ]);
    return this.administration.createAdmin(signUp);
  }

  async suspend(email: string, reason: string): Promise<User> {
    const input = validated(SuspendUserDto, { reason });
    return this.access.suspend((await this.userOf(email)).id, input.reason);
  }

  async unsuspend(email: string): Promise<User> {
    return this.access.unsuspend((await this.userOf(email)).id);
  }

  async endSessions(email: string): Promise<User> {
    const user = await this.userOf(email);
    await this.access.signOutEverywhere(user.id);
    return user;
  }

  async sendPasswordReset(email: string): Promise<User> {
    const user = await this.userOf(email);
    await this.accountEmails.sendPasswordReset(user.id);
    return user;
  }

  /** Any address, with an account or not: unknown addresses are locked too (login-lockout.ts). */
  unlock(email: string): Promise<void> {
    return this.access.unlockAddress(email);
  }

  /**
   * The audit log in `[since, until)`, oldest first, each event as the API shows it to admins, with
   * every text a client chose that starts like a spreadsheet formula (`=`, `+`, `-`, `@`, a tab or
   * a carriage return) prefixed with `'`, so that a SIEM's CSV view does not run it (OWASP, CSV
   * injection).
   */
  async *auditEvents(since: Date, until: Date): AsyncGenerator<AuditEventResponseDto> {
    for await (const event of this.audit.range(since, until)) {
      const shown = AuditEventResponseDto.from(event);
      yield {
        ...shown,
        userAgent: shown.userAgent && neutralised(shown.userAgent),
        details: Object.fromEntries(
          Object.entries(shown.details).map(([name, value]) => [
            name,
            typeof value === 'string' ? neutralised(value) : value,
          ]),
        ) as AuditEventResponseDto['details'],
      };
    }
  }

  listDeadJobs(): Promise<DeadJob[]> {
    return this.deadJobs.list();
  }

  /** The signing keys' commands, as `keys.ts` names them (operators change keys only here). */
  get keys(): SigningKeys {
    return this.signingKeys;
  }

  private async userOf(email: string): Promise<User> {
    const user = await this.users.findByEmail(email);
    if (!user) throw new UserNotFoundError();
    return user;
  }
}

const FORMULA_LEAD = /^[=+\-@\t\r]/;
const neutralised = (text: string) => (FORMULA_LEAD.test(text) ? `'${text}` : text);
