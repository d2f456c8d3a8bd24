import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { COSEALG, cose, isoCBOR } from '@simplewebauthn/server/helpers';

type CborValue = Parameters<typeof isoCBOR.encode>[0];

/**
 * A software WebAuthn authenticator and client in one, for tests: P-256 keys from node:crypto,
 * attestation 'none', resident (discoverable) credentials that remember their user handle,
 * transports ['internal'] unless told otherwise, and one signature counter shared by its credentials (the spec allows
 * a global counter). CBOR and COSE come from @simplewebauthn/server/helpers; only the fixed-layout
 * authenticator data is assembled here, byte by byte as the spec lays it out.
 *
 * Every ceremony takes overrides that forge what an attacker or a broken client would send.
 */

export interface SoftAuthenticatorOptions {
  rpId: string;
  origin: string;
  /** Starting value of the signature counter [0]. */
  counter?: number;
  /** false: an authenticator without a counter, which always reports 0 [true]. */
  keepsCounter?: boolean;
  /** Set the backup-eligible and backed-up flags, like a synced passkey [false]. */
  synced?: boolean;
  /** The transports it reports at registration [['internal']]; a synced platform passkey reports ['hybrid', 'internal']. */
  transports?: string[];
}

export interface CeremonyOverrides {
  /** clientDataJSON.origin. */
  origin?: string;
  /** The RP id whose SHA-256 goes into authenticator data. */
  rpId?: string;
  /** clientDataJSON.challenge, instead of the one in the options. */
  challenge?: string;
  /** clientDataJSON.type, e.g. the other ceremony's. */
  type?: string;
  crossOrigin?: boolean;
  /** Flag bits to force on or off. */
  flags?: { up?: boolean; uv?: boolean; be?: boolean; bs?: boolean };
  /** The counter value to report this once (the stored counter is left alone). */
  counter?: number;
}

export interface RegistrationOverrides extends CeremonyOverrides {
  /** The COSE alg the public key is labelled with (the key stays P-256). */
  algorithm?: number;
  /** A non-empty attestation statement, which format 'none' forbids. */
  attestationStatement?: Map<string, CborValue>;
}

export interface AssertionOverrides extends CeremonyOverrides {
  /** Which held credential signs (base64url id) instead of the one the options select. */
  credentialId?: string;
  /** The id the response claims, whichever credential signed. */
  claimedId?: string;
  /** Bytes to sign instead of authenticatorData || SHA-256(clientDataJSON). */
  signOver?: Uint8Array;
  /** The userHandle to send (null: none) instead of the credential's. */
  userHandle?: string | null;
}

export interface SoftCredential {
  /** base64url credential id. */
  readonly id: string;
  readonly rpId: string;
  /** base64url user handle (options.user.id at registration). */
  readonly userHandle: string;
  readonly privateKey: KeyObject;
}

export interface SoftAuthenticator {
  /** navigator.credentials.create(): a new resident credential; throws like a browser would. */
  register(options: PublicKeyCredentialCreationOptionsJSON, overrides?: RegistrationOverrides): RegistrationResponseJSON;
  /** navigator.credentials.get(): an assertion from an allowed or (allow list empty) discoverable credential. */
  assert(options: PublicKeyCredentialRequestOptionsJSON, overrides?: AssertionOverrides): AuthenticationResponseJSON;
  /** The credentials it holds, oldest first. */
  readonly credentials: readonly SoftCredential[];
  /** The current signature counter. */
  readonly counter: number;
}

const FLAG = { up: 0x01, uv: 0x04, be: 0x08, bs: 0x10, at: 0x40 } as const;
const SOFT_AAGUID = Buffer.from('5f0f7e2a9d3c4b1e8a6f0c2d4e6b8a10', 'hex');

/** A fresh software authenticator bound to one RP id and origin. */
export function createSoftAuthenticator(options: SoftAuthenticatorOptions): SoftAuthenticator {
  const credentials: SoftCredential[] = [];
  const keepsCounter = options.keepsCounter ?? true;
  let counter = options.counter ?? 0;

  const nextCounter = (override: number | undefined): number => {
    if (keepsCounter) counter += 1;
    return override ?? (keepsCounter ? counter : 0);
  };

  const defaultFlags = { up: true, uv: true, be: options.synced ?? false, bs: options.synced ?? false };

  return {
    get credentials() {
      return [...credentials];
    },
    get counter() {
      return counter;
    },

    register(creation, overrides = {}) {
      if (creation.rp.id !== undefined && creation.rp.id !== options.rpId) {
        throw new Error(`SecurityError: rp.id ${creation.rp.id} is not ${options.rpId}`);
      }
      if (!creation.pubKeyCredParams.some((param) => param.alg === COSEALG.ES256)) {
        throw new Error('NotSupportedError: ES256 not offered');
      }
      const excluded = new Set((creation.excludeCredentials ?? []).map((descriptor) => descriptor.id));
      if (credentials.some((credential) => excluded.has(credential.id))) {
        throw new Error('InvalidStateError: this authenticator already holds an excluded credential');
      }

      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const credentialId = randomBytes(16);
      const id = credentialId.toString('base64url');
      const cosePublicKey = ec2CosePublicKey(publicKey, overrides.algorithm ?? COSEALG.ES256);
      credentials.push({ id, rpId: options.rpId, userHandle: creation.user.id, privateKey });

      const clientDataJSON = clientData('webauthn.create', creation.challenge, options.origin, overrides);
      const authData = Buffer.concat([
        authenticatorDataHead(overrides.rpId ?? options.rpId, { ...defaultFlags, ...overrides.flags }, FLAG.at, nextCounter(overrides.counter)),
        SOFT_AAGUID,
        uint16(credentialId.length),
        credentialId,
        cosePublicKey,
      ]);
      const attestationObject = isoCBOR.encode(
        new Map<string, CborValue>([
          ['fmt', 'none'],
          ['attStmt', overrides.attestationStatement ?? new Map()],
          ['authData', new Uint8Array(authData)],
        ]),
      );
      return {
        id,
        rawId: id,
        type: 'public-key',
        response: {
          clientDataJSON: clientDataJSON.toString('base64url'),
          attestationObject: Buffer.from(attestationObject).toString('base64url'),
          authenticatorData: authData.toString('base64url'),
          transports: options.transports ?? ['internal'],
          publicKeyAlgorithm: COSEALG.ES256,
        },
        authenticatorAttachment: 'platform',
        clientExtensionResults: { credProps: { rk: true } },
      };
    },

    assert(request, overrides = {}) {
      if (request.rpId !== undefined && request.rpId !== options.rpId) {
        throw new Error(`SecurityError: rpId ${request.rpId} is not ${options.rpId}`);
      }
      const credential = selectCredential(credentials, request, overrides.credentialId);
      const clientDataJSON = clientData('webauthn.get', request.challenge, options.origin, overrides);
      const authData = authenticatorDataHead(
        overrides.rpId ?? options.rpId,
        { ...defaultFlags, ...overrides.flags },
        0,
        nextCounter(overrides.counter),
      );
      const signedData = overrides.signOver ?? Buffer.concat([authData, sha256(clientDataJSON)]);
      const signature = sign('sha256', signedData, credential.privateKey);
      const userHandle = overrides.userHandle === undefined ? credential.userHandle : overrides.userHandle;
      const claimedId = overrides.claimedId ?? credential.id;
      return {
        id: claimedId,
        rawId: claimedId,
        type: 'public-key',
        response: {
          clientDataJSON: clientDataJSON.toString('base64url'),
          authenticatorData: authData.toString('base64url'),
          signature: signature.toString('base64url'),
          ...(userHandle === null ? {} : { userHandle }),
        },
        authenticatorAttachment: 'platform',
        clientExtensionResults: {},
      };
    },
  };
}

function selectCredential(
  credentials: readonly SoftCredential[],
  request: PublicKeyCredentialRequestOptionsJSON,
  chosenId: string | undefined,
): SoftCredential {
  const usable = credentials.filter((credential) => credential.rpId === (request.rpId ?? credential.rpId));
  const allowed = new Set((request.allowCredentials ?? []).map((descriptor) => descriptor.id));
  const candidates = allowed.size === 0 ? usable : usable.filter((credential) => allowed.has(credential.id));
  const credential = chosenId === undefined ? candidates.at(-1) : credentials.find((held) => held.id === chosenId);
  if (!credential) throw new Error('NotAllowedError: no matching credential');
  return credential;
}

function clientData(type: string, challenge: string, origin: string, overrides: CeremonyOverrides): Buffer {
  return Buffer.from(
    JSON.stringify({
      type: overrides.type ?? type,
      challenge: overrides.challenge ?? challenge,
      origin: overrides.origin ?? origin,
      crossOrigin: overrides.crossOrigin ?? false,
    }),
    'utf8',
  );
}

/** rpIdHash (32) || flags (1) || signCount (4, big-endian), per WebAuthn §6.1. */
function authenticatorDataHead(
  rpId: string,
  flags: { up: boolean; uv: boolean; be: boolean; bs: boolean },
  extraFlags: number,
  signCount: number,
): Buffer {
  const flagByte =
    (flags.up ? FLAG.up : 0) | (flags.uv ? FLAG.uv : 0) | (flags.be ? FLAG.be : 0) | (flags.bs ? FLAG.bs : 0) | extraFlags;
  const count = Buffer.alloc(4);
  count.writeUInt32BE(signCount);
  return Buffer.concat([sha256(Buffer.from(rpId, 'utf8')), Buffer.from([flagByte]), count]);
}

function ec2CosePublicKey(publicKey: KeyObject, algorithm: number): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  if (!jwk.x || !jwk.y) throw new Error('not an EC public key');
  return isoCBOR.encode(
    new Map<number, CborValue>([
      [cose.COSEKEYS.kty, cose.COSEKTY.EC2],
      [cose.COSEKEYS.alg, algorithm],
      [cose.COSEKEYS.crv, cose.COSECRV.P256],
      [cose.COSEKEYS.x, new Uint8Array(Buffer.from(jwk.x, 'base64url'))],
      [cose.COSEKEYS.y, new Uint8Array(Buffer.from(jwk.y, 'base64url'))],
    ]),
  );
}

function uint16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(value);
  return bytes;
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}
