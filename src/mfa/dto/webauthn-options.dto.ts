import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TRANSPORTS } from './webauthn-credential.dto.js';
import { EMAIL_MAX_LENGTH, ONE_LINE_TEXT } from '../../common/http/text-fields.js';
import { durationInWords } from '../../config/environment.js';
import { MFA_CHALLENGE_TTL_SECONDS } from '../../auth/mfa-challenges.js';

/**
 * The options of a WebAuthn ceremony, in the JSON form of WebAuthn Level 3
 * (`PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON` read it, as
 * @simplewebauthn/browser's `startRegistration({ optionsJSON })` / `startAuthentication` do).
 * Binary members are base64url.
 */
const CHALLENGE = {
  description: `Random, single use, valid ${durationInWords(MFA_CHALLENGE_TTL_SECONDS)}.`,
  pattern: '^[A-Za-z0-9_-]+$',
  maxLength: 200,
  example: 'Xq3wJ6m1cHbLk0Xr4q9dZg2vYp8sN5tA1eR7uI0oP3M',
};
const TIMEOUT = { format: 'int32', minimum: 1, maximum: 600_000, example: 300_000 };

class RelyingPartyDto {
  @ApiProperty({ maxLength: 64, pattern: '^[^:]+$', example: 'Gatehouse', description: 'AUTH_MFA_ISSUER.' })
  name: string;

  @ApiProperty({
    maxLength: 253,
    pattern: '^[a-z0-9.-]+$',
    example: 'accounts.example.com',
    description: "APP_PUBLIC_URL's host.",
  })
  id: string;
}

class UserEntityDto {
  @ApiProperty({
    pattern: '^[A-Za-z0-9_-]+$',
    maxLength: 64,
    example: 'C55PHmpDTY-aUzwfClp9Lg',
    description: "The account's id (16 bytes), the passkey's user handle.",
  })
  id: string;

  @ApiProperty({ maxLength: EMAIL_MAX_LENGTH, pattern: ONE_LINE_TEXT, example: 'ada@example.com' })
  name: string;

  @ApiProperty({ maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]*$', example: 'Ada Lovelace' })
  displayName: string;
}

class CredentialParameterDto {
  @ApiProperty({
    format: 'int32',
    minimum: -65_535,
    maximum: 65_535,
    example: -7,
    description: 'A COSE algorithm: -7 ES256, -8 EdDSA, -257 RS256.',
  })
  alg: number;

  @ApiProperty({ enum: ['public-key'], example: 'public-key' })
  type: string;
}

class CredentialDescriptorDto {
  @ApiProperty({ pattern: '^[A-Za-z0-9_-]+$', maxLength: 1024, example: 'AAEC' })
  id: string;

  @ApiProperty({ enum: ['public-key'], example: 'public-key' })
  type: string;

  @ApiPropertyOptional({
    enum: TRANSPORTS,
    isArray: true,
    maxItems: TRANSPORTS.length,
    example: ['internal'],
  })
  transports?: string[];
}

class AuthenticatorSelectionDto {
  @ApiProperty({
    enum: ['required'],
    example: 'required',
    description: 'A discoverable credential: a passkey.',
  })
  residentKey: string;

  @ApiProperty({ example: true })
  requireResidentKey: boolean;

  @ApiProperty({
    enum: ['required'],
    example: 'required',
    description: 'A PIN, a fingerprint or a face unlocks it.',
  })
  userVerification: string;
}

class ExtensionsDto {
  @ApiPropertyOptional({
    example: true,
    description: 'Asks the browser whether the credential is discoverable.',
  })
  credProps?: boolean;
}

export class PasskeyRegistrationOptionsDto {
  @ApiProperty({ type: RelyingPartyDto })
  rp: RelyingPartyDto;

  @ApiProperty({ type: UserEntityDto })
  user: UserEntityDto;

  @ApiProperty(CHALLENGE)
  challenge: string;

  @ApiProperty({ type: [CredentialParameterDto], maxItems: 10 })
  pubKeyCredParams: CredentialParameterDto[];

  @ApiProperty(TIMEOUT)
  timeout: number;

  @ApiProperty({
    type: [CredentialDescriptorDto],
    maxItems: 20,
    description: 'The passkeys the account has: an authenticator holding one makes no second.',
  })
  excludeCredentials: CredentialDescriptorDto[];

  @ApiProperty({ type: AuthenticatorSelectionDto })
  authenticatorSelection: AuthenticatorSelectionDto;

  @ApiProperty({
    enum: ['none'],
    example: 'none',
    description: 'No attestation is asked for: any authenticator will do.',
  })
  attestation: string;

  @ApiPropertyOptional({
    enum: ['security-key', 'client-device', 'hybrid'],
    isArray: true,
    maxItems: 3,
    example: [],
  })
  hints?: string[];

  @ApiPropertyOptional({ type: ExtensionsDto })
  extensions?: ExtensionsDto;
}

export class PasskeyAuthenticationOptionsDto {
  @ApiProperty(CHALLENGE)
  challenge: string;

  @ApiProperty(TIMEOUT)
  timeout: number;

  @ApiProperty({
    maxLength: 253,
    pattern: '^[a-z0-9.-]+$',
    example: 'accounts.example.com',
    description: "APP_PUBLIC_URL's host.",
  })
  rpId: string;

  @ApiPropertyOptional({
    type: [CredentialDescriptorDto],
    maxItems: 0,
    description: 'Empty: the authenticator offers the passkeys it holds for this site.',
    example: [],
  })
  allowCredentials?: CredentialDescriptorDto[];

  @ApiProperty({ enum: ['required'], example: 'required' })
  userVerification: string;

  @ApiPropertyOptional({
    enum: ['security-key', 'client-device', 'hybrid'],
    isArray: true,
    maxItems: 3,
    example: [],
  })
  hints?: string[];
}
