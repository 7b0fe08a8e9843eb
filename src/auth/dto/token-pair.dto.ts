import { ApiProperty } from '@nestjs/swagger';

export class TokenPairDto {
  @ApiProperty({
    description:
      'Send as `Authorization: Bearer <accessToken>`. A JWT in RFC 9068 form (`typ: at+jwt`; `iss`, `aud`, `sub`, `sid`, `roles`, `client_id`, `jti`, `iat`, `exp`, and `org_id` with `org_role` while the session has an organization selected), signed with the key its `kid` names in /.well-known/jwks.json (EdDSA by default), valid for `expiresIn` seconds.',
    maxLength: 2000,
    pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
    example: 'eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCIsImtpZCI6Ii4uLiJ9.eyJzaWQiOiIuLi4ifQ.c2lnbmF0dXJl',
  })
  accessToken: string;

  @ApiProperty({
    description: 'Opaque; exchange it at `/auth/refresh` for a new pair. Single use.',
    maxLength: 200,
    pattern: '^[A-Za-z0-9_-]+$',
    example: 'kq3Vn0cXw5hQ3mJ6Yt9Hqz8bWfV1uZr2LxPaE4sDgTo',
  })
  refreshToken: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType: 'Bearer';

  @ApiProperty({
    description: 'Lifetime of the access token, in seconds.',
    format: 'int32',
    minimum: 1,
    maximum: 86400,
    example: 900,
  })
  expiresIn: number;
}
