import { DomainError, type FieldError } from '../common/errors/domain-error.js';

export class SlugTakenError extends DomainError {
  readonly code = 'SLUG_TAKEN';
  override readonly errors: FieldError[] = [{ pointer: '#/slug', detail: 'is taken' }];
  constructor() {
    super('Another organization has this slug: choose another.');
  }
}

/** An organization must keep an owner: the last one can be neither removed, demoted nor leave. */
export class LastOwnerError extends DomainError {
  readonly code = 'LAST_OWNER';
  constructor(slug: string) {
    super(
      `You are the last owner of the organization ${slug}: make another member an owner, or delete it, first.`,
    );
  }
}

export class AlreadyMemberError extends DomainError {
  readonly code = 'ALREADY_MEMBER';
  constructor() {
    super('The account at this address is already a member.');
  }
}

/**
 * Whatever is wrong with an invitation's token (unknown, expired, revoked, used, or for another
 * address): one answer, so that a token tells nobody which invitations exist.
 */
export class InvalidInvitationError extends DomainError {
  readonly code = 'INVALID_INVITATION';
  constructor() {
    super(
      'This invitation cannot be accepted: it has expired, was revoked or used, or is for another address. Ask for a new one.',
    );
  }
}

/** Deleting an organization repeats its slug, so that nobody deletes the wrong one by mistake. */
export class SlugNotConfirmedError extends DomainError {
  readonly code = 'SLUG_NOT_CONFIRMED';
  override readonly errors: FieldError[] = [
    { parameter: 'confirm', detail: "must be the organization's slug" },
  ];
  constructor() {
    super('To delete the organization, repeat its slug in the confirm parameter.');
  }
}

/** An admin touching the owner role: granting, changing or removing it is the owners' alone. */
export class OwnersOnlyError extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor() {
    super('Only an owner may grant, change or remove the owner role.');
  }
}

export class MemberNotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor() {
    super('No such member of this organization.');
  }
}

export class InvitationNotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor() {
    super('No such invitation in this organization.');
  }
}

/** Over RATE_LIMIT_ORG_INVITATIONS_PER_HOUR for this organization. */
export class TooManyInvitationsError extends DomainError {
  readonly code = 'TOO_MANY_INVITATIONS';
  constructor(override readonly retryAfterSeconds: number) {
    super('This organization has sent too many invitations: retry after the Retry-After seconds.');
  }
}

/** Organizations are for accounts whose address is verified: they create them and join them. */
export class EmailNotVerifiedError extends DomainError {
  readonly code = 'EMAIL_NOT_VERIFIED';
  constructor() {
    super('Verify your email address first: organizations are for verified addresses.');
  }
}
