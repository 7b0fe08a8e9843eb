import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ASYMMETRIC_ALGORITHMS } from '../entities/signing-key.entity.js';

const BASE64URL = '^[A-Za-z0-9_-]+$';

/** One public key (RFC 7517 §4; OKP members from RFC 8037, EC from RFC 7518 §6.2). */
export class PublicJwkDto {
  @ApiProperty({
    enum: ['OKP', 'EC'],
    example: 'OKP',
    description: 'Key type: `OKP` for Ed25519, `EC` for P-256.',
  })
  kty: string;

  @ApiProperty({ enum: ['Ed25519', 'P-256'], example: 'Ed25519' })
  crv: string;

  @ApiProperty({ pattern: BASE64URL, maxLength: 43, example: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' })
  x: string;

  @ApiPropertyOptional({ pattern: BASE64URL, maxLength: 43, description: 'EC keys only.' })
  y?: string;

  @ApiProperty({
    pattern: '^[A-Za-z0-9_-]{43}$',
    maxLength: 43,
    description: "The key's RFC 7638 thumbprint; an access token names its key in the header's `kid`.",
    example: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
  })
  kid: string;

  @ApiProperty({
    enum: ASYMMETRIC_ALGORITHMS,
    example: 'EdDSA',
    description: 'The only algorithm this key verifies.',
  })
  alg: string;

  @ApiProperty({ enum: ['sig'], example: 'sig' })
  use: string;
}

/** RFC 7517 §5: the keys that verify Gatehouse's access tokens. */
export class KeySetDto {
  @ApiProperty({
    type: [PublicJwkDto],
    maxItems: 100,
    description:
      'The key that signs now, the next one (published before it signs) and the retired ones whose tokens may still be valid. Empty while AUTH_SIGNING_ALGORITHM=HS256 and no key pair ever signed.',
  })
  keys: PublicJwkDto[];
}

/** RFC 8414 authorization server metadata: what a verifier needs to find the keys. */
export class AuthorizationServerMetadataDto {
  @ApiProperty({
    description: 'The `iss` of every access token (AUTH_JWT_ISSUER).',
    maxLength: 2048,
    example: 'https://auth.example.com',
  })
  issuer: string;

  @ApiProperty({
    name: 'jwks_uri',
    format: 'uri',
    maxLength: 2048,
    description: 'Where the key set is (APP_PUBLIC_URL + /.well-known/jwks.json).',
    example: 'https://auth.example.com/.well-known/jwks.json',
  })
  jwks_uri: string;
}
