import { Algorithm, hash, verify } from '@node-rs/argon2';
import { Injectable } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { Slots } from './slots.js';

/**
 * argon2id at OWASP's minimum (m=19 MiB, t=2, p=1): about 50 ms of one core here, which bounds
 * login throughput, so it is not raised without measuring (bench/).
 */
export const ARGON2_PARAMETERS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

/**
 * Hashes one password per core at a time. More would not go faster (each hash keeps a core busy)
 * but would hold 19 MiB more each: libuv runs four at once by default, 76 MiB on two cores.
 */
@Injectable()
export class PasswordHasher {
  private readonly slots = new Slots(availableParallelism());

  hash(password: string): Promise<string> {
    return this.slots.run(() => hash(password, ARGON2_PARAMETERS));
  }

  /** False for a wrong password and for a malformed hash alike: a broken row must not become a 500. */
  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await this.slots.run(() => verify(passwordHash, password));
    } catch {
      return false;
    }
  }

  /** True when the hash was made with weaker parameters than today's, so it is redone at next login. */
  needsRehash(passwordHash: string): boolean {
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(passwordHash);
    if (!match) return true;
    const [m, t, p] = match.slice(1).map(Number);
    return (
      m < ARGON2_PARAMETERS.memoryCost || t < ARGON2_PARAMETERS.timeCost || p < ARGON2_PARAMETERS.parallelism
    );
  }
}
