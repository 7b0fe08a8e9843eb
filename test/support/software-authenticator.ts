import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * A passkey authenticator in software: an ES256 key made here, and the WebAuthn responses a browser
 * would hand back (`PublicKeyCredential.toJSON()`), signed for real. What the server verifies is
 * what a phone or a security key would send; only the user's gesture is taken for granted.
 */
export class SoftwareAuthenticator {
  readonly credentialId = randomBytes(16).toString('base64url');
  private readonly key: { privateKey: KeyObject; publicKey: KeyObject };
  private signCount = 0;
  /** The user handle of the registration (`user.id` of the options), given back at sign-in. */
  private userHandle: string | undefined;

  constructor(
    private readonly origin: string,
    private readonly options: { userVerified?: boolean; countsSignatures?: boolean } = {},
  ) {
    this.key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  }

  /** The answer to `navigator.credentials.create({ publicKey: options })`. */
  register(
    options: { challenge: string; rp: { id?: string }; user: { id: string } },
    { origin = this.origin } = {},
  ) {
    this.userHandle = options.user.id;
    const rpId = options.rp.id ?? new URL(origin).hostname;
    const jwk = this.key.publicKey.export({ format: 'jwk' });
    const cosePublicKey = cbor(
      new Map<number, number | Buffer>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const credentialId = Buffer.from(this.credentialId, 'base64url');
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const authenticatorData = Buffer.concat([
      this.authenticatorData(rpId, 0x40), // AT: attested credential data follows
      Buffer.alloc(16), // AAGUID: none
      idLength,
      credentialId,
      cosePublicKey,
    ]);
    const attestationObject = cbor(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authenticatorData],
      ]),
    );
    return this.credential({
      clientDataJSON: clientData('webauthn.create', options.challenge, origin),
      attestationObject: attestationObject.toString('base64url'),
      transports: ['internal'],
    });
  }

  /** The answer to `navigator.credentials.get({ publicKey: options })`, for this credential. */
  authenticate(options: { challenge: string; rpId?: string }, { origin = this.origin } = {}) {
    const rpId = options.rpId ?? new URL(origin).hostname;
    if (this.options.countsSignatures) this.signCount += 1;
    const authenticatorData = this.authenticatorData(rpId, 0);
    const clientDataJSON = clientData('webauthn.get', options.challenge, origin);
    const signed = Buffer.concat([
      authenticatorData,
      createHash('sha256').update(Buffer.from(clientDataJSON, 'base64url')).digest(),
    ]);
    return this.credential({
      clientDataJSON,
      authenticatorData: authenticatorData.toString('base64url'),
      // ECDSA over SHA-256, DER-encoded, as WebAuthn wants it.
      signature: sign('sha256', signed, this.key.privateKey).toString('base64url'),
      userHandle: this.userHandle,
    });
  }

  /** `PublicKeyCredential.toJSON()` around a ceremony's response. */
  private credential<R extends object>(response: R) {
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key' as const,
      authenticatorAttachment: 'platform' as const,
      clientExtensionResults: {},
      response,
    };
  }

  /** rpIdHash, flags (UP, and UV unless told otherwise, plus `extra`), the signature counter. */
  private authenticatorData(rpId: string, extra: number): Buffer {
    const flags = 0x01 | (this.options.userVerified === false ? 0 : 0x04) | extra;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.signCount);
    return Buffer.concat([createHash('sha256').update(rpId).digest(), Buffer.from([flags]), counter]);
  }
}

const clientData = (type: string, challenge: string, origin: string) =>
  Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false })).toString('base64url');

/** Just enough CBOR (RFC 8949) for an attestation object and a COSE key: integers, bytes, text, maps. */
function cbor(value: unknown): Buffer {
  const head = (major: number, length: number) => {
    if (length < 24) return Buffer.from([(major << 5) | length]);
    if (length < 256) return Buffer.from([(major << 5) | 24, length]);
    const bytes = Buffer.alloc(3);
    bytes[0] = (major << 5) | 25;
    bytes.writeUInt16BE(length, 1);
    return bytes;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, text.length), text]);
  }
  if (value instanceof Map)
    return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
  throw new Error(`no CBOR here for ${typeof value}`);
}
