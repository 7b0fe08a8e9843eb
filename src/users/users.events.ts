/** The events the users module publishes (src/events/domain-events.ts), with their payloads. */
declare module '../events/domain-events.js' {
  interface DomainEventMap {
    /** A new account, in the transaction that created it (account-emails queues the welcome mail). */
    'account.signed-up': { userId: string };
    /**
     * An account about to be deleted, in the transaction that deletes it, after its own checks:
     * a module whose rows must not be orphaned refuses by throwing (organizations: the last owner).
     */
    'account.deleting': { userId: string };
  }
}

/** The name users publishes a sign-up under; subscribers name it too (type-checked by the map above). */
export const ACCOUNT_SIGNED_UP = 'account.signed-up';

/** The name users publishes an account's deletion under, before the row goes. */
export const ACCOUNT_DELETING = 'account.deleting';
