// Rewritten by `npm run migration:generate` and `migration:create`: every migration, oldest first.
import { InitialSchema1795709843034 } from './1795709843034-InitialSchema.js';
import { Sessions1795710427048 } from './1795710427048-Sessions.js';
import { AccountTokens1795717741674 } from './1795717741674-AccountTokens.js';
import { OneClock1795985254254 } from './1795985254254-OneClock.js';
import { CanonicalEmail1795989164113 } from './1795989164113-CanonicalEmail.js';
import { AccountLifecycle1795994157622 } from './1795994157622-AccountLifecycle.js';
import { EmailChange1796002944911 } from './1796002944911-EmailChange.js';
import { IdempotentRequests1796012819595 } from './1796012819595-IdempotentRequests.js';
import { AuditEvents1796022378756 } from './1796022378756-AuditEvents.js';
import { SecondFactors1796032890888 } from './1796032890888-SecondFactors.js';
import { SessionSecondFactor1796035483355 } from './1796035483355-SessionSecondFactor.js';
import { AccountInvariants1796546160512 } from './1796546160512-AccountInvariants.js';
import { LinksRevokedAt1796549406798 } from './1796549406798-LinksRevokedAt.js';
import { SigningKeys1796632171362 } from './1796632171362-SigningKeys.js';
import { ApiKeys1796645543068 } from './1796645543068-ApiKeys.js';
import { Organizations1796654473812 } from './1796654473812-Organizations.js';
import { Webhooks1796666048842 } from './1796666048842-Webhooks.js';

export const migrations = [
  InitialSchema1795709843034,
  Sessions1795710427048,
  AccountTokens1795717741674,
  OneClock1795985254254,
  CanonicalEmail1795989164113,
  AccountLifecycle1795994157622,
  EmailChange1796002944911,
  IdempotentRequests1796012819595,
  AuditEvents1796022378756,
  SecondFactors1796032890888,
  SessionSecondFactor1796035483355,
  AccountInvariants1796546160512,
  LinksRevokedAt1796549406798,
  SigningKeys1796632171362,
  ApiKeys1796645543068,
  Organizations1796654473812,
  Webhooks1796666048842,
];
