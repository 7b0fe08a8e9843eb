import { ApiProperty } from '@nestjs/swagger';

export class TotpSetupResponseDto {
  @ApiProperty({
    description: 'The shared secret (base32), for typing into an app that cannot scan. Shown this once.',
    pattern: '^[A-Z2-7]+$',
    minLength: 32,
    maxLength: 32,
    example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  })
  secret: string;

  @ApiProperty({
    description:
      'The same secret as an `otpauth://totp/` URI (SHA-1, 6 digits, 30 seconds), labelled with AUTH_MFA_ISSUER and the email.',
    maxLength: 600,
    pattern: '^otpauth://totp/',
    example:
      'otpauth://totp/Gatehouse:ada%40example.com?issuer=Gatehouse&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30',
  })
  otpauthUri: string;

  @ApiProperty({
    description: 'The URI as a QR code, an SVG document to show as it is.',
    maxLength: 100_000,
    pattern: '^<svg ',
    example: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 37 37">…</svg>',
  })
  qrCodeSvg: string;
}

export class RecoveryCodesResponseDto {
  @ApiProperty({
    description:
      'Ten one-time codes that stand in for the authenticator app at sign-in. Shown this once: only their hashes are kept.',
    type: 'array',
    items: {
      type: 'string',
      pattern: '^[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}$',
      minLength: 11,
      maxLength: 11,
    },
    minItems: 10,
    maxItems: 10,
    example: [
      'K7QMX-4TZP9',
      'WQ2RA-8HBNC',
      'D4FGH-JK2MN',
      'PQ7RS-TUV3W',
      'XY8Z2-AB4CD',
      'EF5GH-JK6MN',
      'PQ9RS-TU2VW',
      'XY3ZA-BC5DE',
      'FG6HJ-KM7NP',
      'QR8ST-UV9WX',
    ],
  })
  recoveryCodes: string[];
}
