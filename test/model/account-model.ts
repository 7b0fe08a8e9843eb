import { randomUUID } from 'node:crypto';
import type { ApiClient } from '../support/api-client.js';
import type { AuthenticatorApp } from '../support/authenticator-app.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import type { SoftwareAuthenticator } from '../support/software-authenticator.js';
import type { TestApp } from '../support/test-app.js';

/**
 * The model of one account's life (docs/security-model.md): what the account is, and what each of
 * two actors holds. The owner reads the address's mailbox; the attacker knows the address, not
 * the mailbox. Each command changes the model as the invariants say the service must, and checks
 * the service's answer against it; `checkInvariants` then asks the service about every token each
 * actor holds.
 */
export type Actor = 'owner' | 'attacker';
export const ACTORS: Actor[] = ['owner', 'attacker'];

export interface HeldSession {
  accessToken: string;
  refreshToken: string;
  /** A refresh token this session already spent (a copy an attacker may have taken). */
  spentRefreshToken?: string;
  /** The model's word: does the service still honour this session? */
  live: boolean;
  /** The organization the session selected (`PUT /auth/sessions/current/organization`). */
  organizationId?: string;
}

/** An invitation to the team's organization, as its mail carried it to whoever reads the mailbox. */
export interface HeldInvitation {
  token: string;
  /** The address it was sent to: only the account with that (verified) address may accept it. */
  email: string;
  /** Not accepted, and not replaced by a later invitation to the same address. */
  live: boolean;
}

/** An API key an actor made with a session, as `POST /auth/api-keys` answered it. */
export interface HeldKey {
  id: string;
  key: string;
  /** The model's word: has nothing revoked it (I14)? A suspension pauses it without revoking. */
  live: boolean;
}

export interface PendingSignIn {
  mfaToken: string;
  live: boolean;
  wrongCodes: number;
}

export interface Knowledge {
  /** Passwords this actor chose or was told, newest last. */
  passwords: string[];
  sessions: HeldSession[];
  pending: PendingSignIn[];
  recoveryCodes: string[];
  passkeys: SoftwareAuthenticator[];
  apiKeys: HeldKey[];
  /** The organizations this actor has seen the id of: it keeps asking for them (I15). */
  organizations: string[];
  invitations: HeldInvitation[];
}

export interface Account {
  id: string;
  /** Its address now: the owner's, until an email change moves it. */
  email: string;
  /** Who reads the mail sent to `email`. */
  mailbox: Actor;
  createdBy: Actor;
  password: string;
  verified: boolean;
  suspended: boolean;
  totp: AuthenticatorApp | null;
  /** The unused recovery codes. */
  recoveryCodes: Set<string>;
  passkeys: Set<SoftwareAuthenticator>;
  /** Each registered passkey's id, as the registration answered it. */
  passkeyIds: Map<SoftwareAuthenticator, string>;
  /** The welcome mail's link still works: no suspension has revoked it (I5). */
  welcomeLinkLive: boolean;
  /** How many welcome mails the address had before this account: its own comes after. */
  welcomesBefore: number;
  /** The account's memberships: organization id → its role there. Gone with the account. */
  organizations: Map<string, 'owner' | 'admin' | 'member'>;
}

export interface Model {
  email: string;
  account: Account | null;
  actors: Record<Actor, Knowledge>;
  /** Accounts of this address that were deleted, oldest first. */
  previousAccountIds: string[];
  /** The commands run, for the closing counts. */
  steps: number;
  /** What ran, in order: a failure reads as the commands that led to it. */
  trace: string[];
  /** The run has a Redis of its own, which a command may stop and start again. */
  redis: boolean;
  /** An organization of another account (the team), which invites the account; made when first needed. */
  team: string | null;
}

/** What the commands drive: the app, its mail sink, an admin, and the relying party's origin. */
export interface Real {
  t: TestApp;
  api: ApiClient;
  sink: SmtpSink;
  adminToken: () => string;
  /** A verified account outside the model that owns the team's organizations. */
  teamOwnerToken: () => string;
  origin: string;
  /** The Redis the app counts attempts in: stopped and started again on the same port. */
  redis?: { stop(): Promise<void>; start(): Promise<void> };
}

export function newModel({ redis = false } = {}): Model {
  const knowledge = (): Knowledge => ({
    passwords: [],
    sessions: [],
    pending: [],
    recoveryCodes: [],
    passkeys: [],
    apiKeys: [],
    organizations: [],
    invitations: [],
  });
  return {
    email: `owner-${randomUUID().slice(0, 12)}@example.com`,
    account: null,
    actors: { owner: knowledge(), attacker: knowledge() },
    previousAccountIds: [],
    steps: 0,
    trace: [],
    redis,
    team: null,
  };
}

/** The account's pending sign-ins end: every actor's `mfaToken` dies. */
export function endPendingSignIns(model: Model): void {
  for (const actor of ACTORS) for (const pending of model.actors[actor].pending) pending.live = false;
}

/** Every API key of the account is revoked (I14): whoever holds one holds nothing. */
export function revokeEveryKey(model: Model): void {
  for (const actor of ACTORS) for (const key of model.actors[actor].apiKeys) key.live = false;
}

/**
 * The account's sessions and pending sign-ins end (I5): every actor's copy of them dies. So do its
 * API keys (I14), but where a suspension only pauses them (`keys: false`).
 */
export function endEverySession(model: Model, except?: HeldSession, { keys = true } = {}): void {
  for (const actor of ACTORS)
    for (const session of model.actors[actor].sessions) if (session !== except) session.live = false;
  endPendingSignIns(model);
  if (keys) revokeEveryKey(model);
}

/** The account is gone: so is everything anyone held of it. */
export function forgetAccount(model: Model): void {
  endEverySession(model);
  if (model.account) model.previousAccountIds.push(model.account.id);
  model.account = null;
}

export const liveSession = (model: Model, actor: Actor) =>
  model.actors[actor].sessions.findLast((session) => session.live);
export const knowsPassword = (model: Model, actor: Actor) =>
  model.account !== null && model.actors[actor].passwords.includes(model.account.password);
export const hasFactor = (account: Account) => account.totp !== null || account.passkeys.size > 0;

/** Does the actor hold anything that the model says signs in? */
export function holdsProof(model: Model, actor: Actor): boolean {
  const account = model.account;
  if (!account || account.suspended) return false;
  const knowledge = model.actors[actor];
  if ([...account.passkeys].some((passkey) => knowledge.passkeys.includes(passkey))) return true;
  if (!knowsPassword(model, actor)) return false;
  return !hasFactor(account) || knowledge.recoveryCodes.some((code) => account.recoveryCodes.has(code));
}

/** Every secret anyone held in this model: none may ever be told to another system (I16). */
export function secretsOf(model: Model): string[] {
  return ACTORS.flatMap((actor) => {
    const knowledge = model.actors[actor];
    return [
      ...knowledge.passwords,
      ...knowledge.sessions.flatMap((s) => [s.accessToken, s.refreshToken, s.spentRefreshToken ?? '']),
      ...knowledge.pending.map((p) => p.mfaToken),
      ...knowledge.recoveryCodes,
      ...knowledge.apiKeys.map((k) => k.key),
      ...knowledge.invitations.map((i) => i.token),
    ];
  }).filter((secret) => secret.length >= 8);
}

/** Every account this model made, the deleted ones too. */
export const accountsOf = (model: Model): string[] => [
  ...model.previousAccountIds,
  ...(model.account ? [model.account.id] : []),
];
