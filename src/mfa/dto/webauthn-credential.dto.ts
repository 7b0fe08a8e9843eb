import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PlainText, ONE_LINE_TEXT } from '../../common/http/text-fields.js';
import { NoInvisibleCharacters } from '../../users/dto/user-fields.js';
import { PASSKEY_NAME_MAX_LENGTH } from '../entities/passkey.entity.js';

/**
 * The JSON of a WebAuthn credential as a browser gives it (`PublicKeyCredential.toJSON()`, or
 * @simplewebauthn/browser's `startRegistration` / `startAuthentication`): binary members in base64url.
 * Only shapes and sizes are checked here; the signature, challenge, origin and RP id are checked by
 * the service.
 */
const BASE64URL = /^[A-Za-z0-9_-]*$/;
export const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;

const Base64Url = (description: string, maxLength: number, { required = true } = {}) =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({
      description,
      pattern: BASE64URL.source,
      maxLength,
      example: 'AAEC',
    }),
    ...(required ? [] : [IsOptional()]),
    IsString(),
    MaxLength(maxLength),
    Matches(BASE64URL, { message: '$property must be base64url' }),
  );

const CredentialMembers = () =>
  applyDecorators(ApiProperty({ enum: ['public-key'], example: 'public-key' }), IsIn(['public-key']));

class AttestationResponseDto {
  @Base64Url('The client data the authenticator signed over.', 4096)
  clientDataJSON: string;

  @Base64Url('The attestation object (CBOR): the new credential and its public key.', 16_384)
  attestationObject: string;

  @Base64Url('The authenticator data, as the browser also gives it.', 16_384, { required: false })
  authenticatorData?: string;

  @ApiPropertyOptional({
    enum: TRANSPORTS,
    isArray: true,
    maxItems: TRANSPORTS.length,
    example: ['internal'],
  })
  @IsOptional()
  @ArrayMaxSize(TRANSPORTS.length)
  @IsIn(TRANSPORTS, { each: true })
  transports?: string[];

  @ApiPropertyOptional({ format: 'int32', minimum: -65_535, maximum: 65_535, example: -7 })
  @IsOptional()
  @IsInt()
  publicKeyAlgorithm?: number;

  @Base64Url('The public key (SPKI), as the browser also gives it.', 8192, { required: false })
  publicKey?: string;
}

class AssertionResponseDto {
  @Base64Url('The client data the authenticator signed over.', 4096)
  clientDataJSON: string;

  @Base64Url('The authenticator data.', 4096)
  authenticatorData: string;

  // ML-DSA-87's signatures are 4,627 bytes; ES256's, about 72.
  @Base64Url('The signature over the authenticator data and the hash of the client data.', 8192)
  signature: string;

  @Base64Url("The user handle of a discoverable credential (the account's id as registered).", 128, {
    required: false,
  })
  userHandle?: string;
}

abstract class CredentialDto {
  @Base64Url("The credential's id.", 1024)
  id: string;

  @Base64Url('The same id (`rawId`), as the browser gives it.', 1024)
  rawId: string;

  @ApiPropertyOptional({ enum: ['platform', 'cross-platform'], example: 'platform' })
  @IsOptional()
  @IsIn(['platform', 'cross-platform'])
  authenticatorAttachment?: 'platform' | 'cross-platform';

  @ApiProperty({
    type: 'object',
    properties: { credProps: { type: 'object', properties: { rk: { type: 'boolean' } } } },
    description: "The client's extension outputs (`credProps`, …), taken as the browser gave them.",
    example: { credProps: { rk: true } },
  })
  @IsObject()
  clientExtensionResults: Record<string, unknown>;

  @CredentialMembers()
  type: 'public-key';
}

export class RegistrationCredentialDto extends CredentialDto {
  @ApiProperty({ type: AttestationResponseDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AttestationResponseDto)
  response: AttestationResponseDto;
}

export class AuthenticationCredentialDto extends CredentialDto {
  @ApiProperty({ type: AssertionResponseDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AssertionResponseDto)
  response: AssertionResponseDto;
}

/** A passkey's name, as its owner sees it in the list. */
export const PasskeyNameField = ({ required = true } = {}) =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({
      description: 'What the owner calls it ("Work laptop"). Default: `Passkey <n>`.',
      minLength: 1,
      maxLength: PASSKEY_NAME_MAX_LENGTH,
      pattern: ONE_LINE_TEXT,
      example: 'Work laptop',
    }),
    ...(required ? [] : [IsOptional()]),
    IsString(),
    Length(1, PASSKEY_NAME_MAX_LENGTH),
    PlainText(),
    NoInvisibleCharacters({ joinersInWords: true }),
  );

export class RegisterPasskeyDto {
  @ApiProperty({
    type: RegistrationCredentialDto,
    description: 'What `navigator.credentials.create` returned, as JSON.',
  })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => RegistrationCredentialDto)
  response: RegistrationCredentialDto;

  @PasskeyNameField({ required: false })
  name?: string;
}

export class RenamePasskeyDto {
  @PasskeyNameField()
  name: string;
}

export class PasskeyAuthenticationDto {
  @ApiProperty({
    type: AuthenticationCredentialDto,
    description: 'What `navigator.credentials.get` returned, as JSON.',
  })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AuthenticationCredentialDto)
  response: AuthenticationCredentialDto;
}
