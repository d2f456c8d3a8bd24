/**
 * The browser half of a passkey ceremony, injected so that the client stays dependency-free.
 * `@simplewebauthn/browser` fits as it is:
 * `createAuthClient({ ..., webauthn: { startRegistration, startAuthentication } })`.
 * The JSON shapes are the WebAuthn Level 3 `toJSON()` forms; the client only passes them through,
 * so it names the one field it checks and leaves the rest to the server and the browser.
 */
export interface PasskeyCreationOptionsJSON {
  readonly challenge: string;
}

export interface PasskeyRequestOptionsJSON {
  readonly challenge: string;
}

/** A `RegistrationResponseJSON` or `AuthenticationResponseJSON`, sent back to the server as it is. */
export interface PasskeyCredentialJSON {
  readonly id: string;
  readonly type: string;
}

export interface WebAuthnAdapter {
  // Method syntax on purpose: the library's functions take wider option objects, which method
  // parameters accept.
  startRegistration(options: { optionsJSON: PasskeyCreationOptionsJSON }): Promise<PasskeyCredentialJSON>;
  startAuthentication(options: { optionsJSON: PasskeyRequestOptionsJSON }): Promise<PasskeyCredentialJSON>;
}

/** `POST /auth/passkeys/login/options` */
export interface PasskeyLoginOptions {
  /** Opaque; send it back with the assertion. */
  readonly challengeId: string;
  readonly options: PasskeyRequestOptionsJSON;
}
