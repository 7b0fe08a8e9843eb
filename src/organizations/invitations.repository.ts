import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThanOrEqual, type Repository } from 'typeorm';
import type { KeysetPosition } from '../common/pagination/keyset-cursor.js';
import type { Transaction } from '../database/transactions.js';
import { Invitation } from './entities/invitation.entity.js';

/** The SQL of `invitations`, through TypeORM's API. */
@Injectable()
export class InvitationsRepository {
  constructor(@InjectRepository(Invitation) private readonly invitations: Repository<Invitation>) {}

  /**
   * The organization's invitation to this address, new or replacing the one it had (another role,
   * a new expiry, no token until its mail is sent).
   */
  async upsert(
    invitation: Omit<Invitation, 'id' | 'tokenHash'>,
    transaction: Transaction,
  ): Promise<Invitation> {
    const repository = transaction.getRepository(Invitation);
    // The organization's expired invitations go as it sends a new one: no job needed to bound them.
    await repository.delete({
      organizationId: invitation.organizationId,
      expiresAt: LessThanOrEqual(invitation.createdAt),
    });
    await repository
      .createQueryBuilder()
      .insert()
      .values({ ...invitation, tokenHash: null })
      .orUpdate(
        ['email', 'role', 'invited_by', 'created_at', 'expires_at', 'token_hash'],
        ['organization_id', 'email_canonical'],
      )
      .execute();
    return repository.findOneByOrFail({
      organizationId: invitation.organizationId,
      emailCanonical: invitation.emailCanonical,
    });
  }

  findById(id: string): Promise<Invitation | null> {
    return this.invitations.findOneBy({ id });
  }

  /** Gives the invitation the token its mail carries, replacing an earlier attempt's. */
  async setToken(id: string, tokenHash: Buffer): Promise<boolean> {
    const { affected } = await this.invitations.update({ id }, { tokenHash });
    return (affected ?? 0) > 0;
  }

  /** A live invitation by its token's hash, locked: of twenty acceptances at once, one finds it. */
  findLiveByToken(tokenHash: Buffer, now: Date, transaction: Transaction): Promise<Invitation | null> {
    return transaction
      .getRepository(Invitation)
      .createQueryBuilder('i')
      .setLock('pessimistic_write')
      .where('i.token_hash = :tokenHash AND i.expires_at > :now', { tokenHash, now })
      .getOne();
  }

  /** The organization's invitations, newest first, `limit` after `after`. */
  page(organizationId: string, after: KeysetPosition | undefined, limit: number): Promise<Invitation[]> {
    const query = this.invitations
      .createQueryBuilder('i')
      .where('i.organization_id = :organizationId', { organizationId });
    if (after) query.andWhere('(i.created_at, i.id) < (:at, :id)', { at: after.createdAt, id: after.id });
    return query.orderBy('i.created_at', 'DESC').addOrderBy('i.id', 'DESC').limit(limit).getMany();
  }

  /** Deletes it; the row it was, or null when the organization has no such invitation. */
  async delete(organizationId: string, id: string, transaction: Transaction): Promise<Invitation | null> {
    const repository = transaction.getRepository(Invitation);
    const found = await repository.findOneBy({ organizationId, id });
    if (found) await repository.delete({ id });
    return found;
  }
}
