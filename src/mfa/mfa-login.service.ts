import { Injectable } from '@nestjs/common';
import type { TokenPair } from '../auth/access-tokens.js';
import { CredentialChecks } from '../auth/credential-checks.js';
import { SignInService } from '../auth/sign-in.service.js';
import { MfaChallenges } from '../auth/mfa-challenges.js';
import type { ClientInfo } from '../common/http/client-info.js';
import { UsersService } from '../users/users.service.js';
import { InvalidMfaTokenError, InvalidSecondFactorError } from './mfa.errors.js';
import { SecondFactors, type SecondFactorProof } from './second-factors.js';

/** The second step of a password login: the `mfaToken` and a code (or a recovery code) for tokens. */
@Injectable()
export class MfaLoginService {
  constructor(
    private readonly credentials: CredentialChecks,
    private readonly signIn: SignInService,
    private readonly challenges: MfaChallenges,
    private readonly secondFactors: SecondFactors,
    private readonly users: UsersService,
  ) {}

  /**
   * The proof is spent and the challenge with it, in one transaction: of concurrent uses of one
   * code, one spends its step and the others are wrong; of concurrent right answers on one token,
   * one spends it and the others find it gone (and give their proof back). A wrong proof rolls back (the
   * token lives on, until its fifth wrong code) and counts toward the address's login lock.
   */
  async complete(mfaToken: string, proof: SecondFactorProof, client: ClientInfo): Promise<TokenPair> {
    const challenge = await this.challenges.peek('login', mfaToken);
    const user = challenge?.userId ? await this.users.findById(challenge.userId) : null;
    if (!user) {
      await this.credentials.proofFailed(null, 'mfa-token');
      throw new InvalidMfaTokenError();
    }
    const method = 'code' in proof ? 'totp' : 'recovery-code';
    const attempt = await this.credentials.beginSecondFactor(user, { signIn: true, method });
    const accepted = await this.secondFactors.withProof(user, proof, async (_, transaction) => {
      if (!(await this.challenges.spend('login', mfaToken, transaction))) throw new InvalidMfaTokenError();
    });
    await this.credentials.settleSecondFactor(attempt, accepted);
    if (!accepted) {
      await this.challenges.failed(mfaToken);
      throw new InvalidSecondFactorError();
    }
    return this.signIn.signInWith(user, method, client);
  }
}
