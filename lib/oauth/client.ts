/**
 * An OAuth client (an app that signs users in through this service), with the metadata names of
 * RFC 7591 on the outside. The one home of its rules: the registration schema (what may be
 * registered, with the defaults), the stored record, and its view (never the secret's hash).
 *
 * - A confidential client (`client_secret_basic` or `client_secret_post`) has a secret, shown once
 *   when it is made and on each rotation and stored only as a keyed hash (client-secret.ts). A
 *   public client (`none`: a browser or native app) has none and must use PKCE.
 * - `grant_types` defaults to `authorization_code refresh_token`; `client_credentials` is for
 *   confidential clients only (it authenticates with nothing but the client's secret);
 *   `refresh_token` only beside `authorization_code` (it is how a code grant is continued).
 * - A client that uses `authorization_code` registers at least one redirect URI (OAuth 2.1 §2.3.1
 *   requires it of every client; redirect-uri.ts has the rules).
 */
import * as z from 'zod/mini';
import { displayStringSchema } from '../http/validation';
import { REDIRECT_URI_RULES, redirectUriProblem } from './redirect-uri';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

export const DEFAULT_GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token'];

export const MAX_CLIENT_NAME = 100;
/** At most this many URIs in each list: a registry of apps, not of every page. */
export const MAX_URIS = 20;
export const MAX_SCOPE_LENGTH = 2000;
export const MAX_RESOURCE_LENGTH = 2000;

/** A client as stored. */
export interface OAuthClient {
  readonly clientId: string;
  readonly clientName: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  readonly grantTypes: readonly GrantType[];
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** The scopes the client may ask for, space-separated ('' for none). */
  readonly scope: string;
  /** Trusted: no consent page. */
  readonly firstParty: boolean;
  /** The resource indicators (RFC 8707) the client may ask tokens for. */
  readonly allowedResources: readonly string[];
  /** Epoch ms. */
  readonly createdAt: number;
  /** The keyed hash of the secret (client-secret.ts); only a confidential client has one. */
  readonly secretHash?: string | undefined;
  /** Epoch ms of the last rotation; absent until the first one. */
  readonly secretRotatedAt?: number | undefined;
}

/** A client's metadata as registered (RFC 7591 names), defaults applied. */
export type ClientMetadata = z.output<typeof clientMetadataSchema>;

export const isPublicClient = (client: Pick<OAuthClient, 'tokenEndpointAuthMethod'>): boolean => client.tokenEndpointAuthMethod === 'none';

/** OAuth's scope-token (RFC 6749 §3.3): printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

const uriSchema = (field: string) =>
  z.string().check(
    z.refine((uri) => redirectUriProblem(uri) === undefined, { error: (issue) => `${field} must ${REDIRECT_URI_RULES[redirectUriProblem(String(issue.input))!]}` }),
  );

const uriListSchema = (field: string) =>
  z._default(z.array(uriSchema(field)).check(z.maxLength(MAX_URIS, `${field} holds at most ${MAX_URIS} URIs`), z.refine(unique, `${field} must not repeat a URI`)), []);

/** An absolute URI without a fragment (RFC 8707 §2), of any scheme. */
const resourceSchema = z.string().check(
  z.refine((uri) => uri.length <= MAX_RESOURCE_LENGTH && /^[a-z][a-z0-9+.-]*:[^\s#]+$/i.test(uri) && URL.canParse(uri), 'allowed_resources must be absolute URIs without a fragment'),
);

const scopeSchema = z.string().check(
  z.refine((scope) => scope.length <= MAX_SCOPE_LENGTH && (scope === '' || scope.split(' ').every((token) => SCOPE_TOKEN.test(token))), 'scope must be scope names separated by single spaces'),
);

function unique(values: readonly string[]): boolean {
  return new Set(values).size === values.length;
}

/**
 * The default `scope` of a client that registers none: what its grants can use. OpenID Connect's
 * scopes for a client that signs users in, `offline_access` when it may refresh, none for a
 * client that only uses client_credentials (it asks for its API permissions by name).
 */
export function defaultScope(grantTypes: readonly GrantType[]): string {
  if (!grantTypes.includes('authorization_code')) return '';
  return grantTypes.includes('refresh_token') ? 'openid profile email offline_access' : 'openid profile email';
}

/**
 * The registration of a client (POST /admin/clients, `npm run clients -- create`): RFC 7591's
 * names, unknown members ignored (RFC 7591 §2), each rule's message naming the field and never
 * echoing a value.
 */
export const clientMetadataSchema = z
  .pipe(
    z.object({
      client_name: displayStringSchema('client_name', MAX_CLIENT_NAME),
      redirect_uris: uriListSchema('redirect_uris'),
      post_logout_redirect_uris: uriListSchema('post_logout_redirect_uris'),
      grant_types: z._default(
        z.array(z.enum(GRANT_TYPES, `grant_types must hold only ${GRANT_TYPES.join(', ')}`)).check(z.minLength(1, 'grant_types must not be empty'), z.refine(unique, 'grant_types must not repeat a grant')),
        [...DEFAULT_GRANT_TYPES],
      ),
      token_endpoint_auth_method: z._default(z.enum(TOKEN_ENDPOINT_AUTH_METHODS, `token_endpoint_auth_method must be one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}`), 'client_secret_basic'),
      scope: z.optional(scopeSchema),
      first_party: z._default(z.boolean('first_party must be true or false'), false),
      allowed_resources: z._default(
        z.array(resourceSchema).check(z.maxLength(MAX_URIS, `allowed_resources holds at most ${MAX_URIS} URIs`), z.refine(unique, 'allowed_resources must not repeat a URI')),
        [],
      ),
    }),
    z.transform((metadata, payload) => {
      const problem = metadataProblem(metadata);
      if (problem) {
        payload.issues.push({ code: 'custom', message: problem, input: metadata });
        return z.NEVER;
      }
      return { ...metadata, scope: metadata.scope ?? defaultScope(metadata.grant_types) };
    }),
  );

/** The rules between fields (the schema checks each field alone). */
function metadataProblem(metadata: { grant_types: readonly GrantType[]; token_endpoint_auth_method: TokenEndpointAuthMethod; redirect_uris: readonly string[] }): string | undefined {
  const grants = metadata.grant_types;
  if (metadata.token_endpoint_auth_method === 'none' && grants.includes('client_credentials')) return 'client_credentials is for confidential clients only (token_endpoint_auth_method none has no secret)';
  if (grants.includes('refresh_token') && !grants.includes('authorization_code')) return 'refresh_token goes with authorization_code';
  if (grants.includes('authorization_code') && metadata.redirect_uris.length === 0) return 'redirect_uris must hold at least one URI for a client that uses authorization_code';
  return undefined;
}

/** A client as the admin API and the CLI show it (RFC 7591 names); `client_secret` only when just made or rotated. */
export interface ClientView {
  readonly client_id: string;
  readonly client_name: string;
  readonly redirect_uris: string[];
  readonly post_logout_redirect_uris: string[];
  readonly grant_types: GrantType[];
  readonly token_endpoint_auth_method: TokenEndpointAuthMethod;
  readonly scope: string;
  readonly first_party: boolean;
  readonly allowed_resources: string[];
  readonly created_at: string;
}

/** A view with the secret, the one time it is shown (RFC 7591 §3.2.1: `client_secret_expires_at` 0, it does not expire). */
export interface ClientWithSecret extends ClientView {
  readonly client_secret: string;
  readonly client_secret_expires_at: 0;
}

/** The one mapper of a stored client to its view: never the hash. */
export function toClientView(client: OAuthClient): ClientView {
  return {
    client_id: client.clientId,
    client_name: client.clientName,
    redirect_uris: [...client.redirectUris],
    post_logout_redirect_uris: [...client.postLogoutRedirectUris],
    grant_types: [...client.grantTypes],
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    scope: client.scope,
    first_party: client.firstParty,
    allowed_resources: [...client.allowedResources],
    created_at: new Date(client.createdAt).toISOString(),
  };
}
