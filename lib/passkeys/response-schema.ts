// zod/mini, not zod: plain zod adds about 450 KB to every bundle that imports this module.
import * as z from 'zod/mini';
import { PasskeyRejectedError } from './passkey-rejected-error';

/**
 * The JSON shapes of WebAuthn responses (the Level 3 `toJSON()` forms), checked before any byte is
 * decoded so that ill-typed or oversized input is a rejection and never reaches the library as
 * something it would throw a TypeError on. Bounds come from the spec where it sets one (credential
 * id at most 1023 bytes, user handle at most 64) and are generous elsewhere; the 16 KiB body limit
 * caps the rest.
 */

const MAX_CREDENTIAL_ID_CHARS = 1364; // base64url of 1023 bytes
const MAX_USER_HANDLE_CHARS = 86; // base64url of 64 bytes
const MAX_CLIENT_DATA_CHARS = 4096;
const MAX_AUTHENTICATOR_DATA_CHARS = 4096;
const MAX_ATTESTATION_OBJECT_CHARS = 12_288;
const MAX_SIGNATURE_CHARS = 1024;

/** Transports browsers report today; others are dropped rather than stored. */
export const KNOWN_TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;
export type PasskeyTransport = (typeof KNOWN_TRANSPORTS)[number];

/** Unpadded base64url, as `toJSON()` produces it. */
const base64url = (maxChars: number) => z.string().check(z.minLength(1), z.maxLength(maxChars), z.regex(/^[A-Za-z0-9_-]+$/));

export const credentialIdSchema = base64url(MAX_CREDENTIAL_ID_CHARS);

const transportsSchema = z.array(z.string().check(z.maxLength(32))).check(z.maxLength(16));

const credentialBase = {
  id: credentialIdSchema,
  rawId: credentialIdSchema,
  type: z.literal('public-key'),
  clientExtensionResults: z.optional(z.record(z.string(), z.unknown())),
};

const sameIdAndRawId = (value: { id: string; rawId: string }) => value.id === value.rawId;

export const registrationResponseSchema = z
  .object({
    ...credentialBase,
    response: z.object({
      clientDataJSON: base64url(MAX_CLIENT_DATA_CHARS),
      attestationObject: base64url(MAX_ATTESTATION_OBJECT_CHARS),
      transports: z.optional(transportsSchema),
    }),
  })
  .check(z.refine(sameIdAndRawId));

export const authenticationResponseSchema = z
  .object({
    ...credentialBase,
    response: z.object({
      clientDataJSON: base64url(MAX_CLIENT_DATA_CHARS),
      authenticatorData: base64url(MAX_AUTHENTICATOR_DATA_CHARS),
      signature: base64url(MAX_SIGNATURE_CHARS),
      // Some clients send null for "no handle"; both mean the same.
      userHandle: z.nullish(base64url(MAX_USER_HANDLE_CHARS)),
    }),
  })
  .check(z.refine(sameIdAndRawId));

export const credentialRefSchema = z.object({ id: credentialIdSchema, rawId: credentialIdSchema }).check(z.refine(sameIdAndRawId));

const clientDataSchema = z.object({
  type: z.string().check(z.maxLength(64)),
  challenge: z.string().check(z.maxLength(1024)),
  origin: z.string().check(z.maxLength(2048)),
  crossOrigin: z.optional(z.boolean()),
  topOrigin: z.optional(z.string().check(z.maxLength(2048))),
});

export type ClientData = z.infer<typeof clientDataSchema>;

/** Parses `value` with `schema`, or throws a `malformed_response` rejection. */
export function parseOrReject<T>(schema: z.ZodMiniType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new PasskeyRejectedError('malformed_response', what);
  return parsed.data;
}

/** Decodes clientDataJSON (base64url of UTF-8 JSON) and checks its shape. */
export function decodeClientData(clientDataJSON: string): ClientData {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
  } catch (error) {
    throw new PasskeyRejectedError('malformed_response', 'clientDataJSON is not JSON', { cause: error });
  }
  return parseOrReject(clientDataSchema, json, 'clientDataJSON shape');
}

const clientDataCarrierSchema = z.object({ response: z.object({ clientDataJSON: base64url(MAX_CLIENT_DATA_CHARS) }) });

/** The challenge a WebAuthn response (either ceremony) signed, read from its clientDataJSON; throws a `malformed_response` rejection. */
export function clientChallengeOf(response: unknown): string {
  const { challenge } = decodeClientData(parseOrReject(clientDataCarrierSchema, response, 'response shape').response.clientDataJSON);
  if (challenge.length === 0) throw new PasskeyRejectedError('malformed_response', 'empty challenge');
  return challenge;
}

/** Keeps the transports we know, once each, in a stable order. */
export function knownTransports(reported: readonly string[] | undefined): PasskeyTransport[] {
  return KNOWN_TRANSPORTS.filter((transport) => reported?.includes(transport));
}
