import { InvalidRequestError } from '../../../lib/core/errors';
import { validate } from '../../../lib/http/validation';
import { clientMetadataSchema, defaultScope, toClientView, type OAuthClient } from '../../../lib/oauth/client';

const register = (metadata: Record<string, unknown>) => validate(clientMetadataSchema, metadata);
const refusal = (metadata: Record<string, unknown>): string => {
  try {
    register(metadata);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).code).toBe('invalid_request');
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('clientMetadataSchema: a client registration (RFC 7591 names)', () => {
  it('applies the defaults: a confidential code-flow client that may refresh', () => {
    expect(register({ client_name: '  My app ', redirect_uris: ['https://app.example.com/cb'] })).toEqual({
      client_name: 'My app',
      redirect_uris: ['https://app.example.com/cb'],
      post_logout_redirect_uris: [],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile email offline_access',
      first_party: false,
      allowed_resources: [],
    });
  });

  it('keeps what is given, and ignores unknown members (RFC 7591 §2)', () => {
    const registered = register({
      client_name: 'CLI',
      redirect_uris: ['http://127.0.0.1/cb'],
      post_logout_redirect_uris: ['http://127.0.0.1/bye'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'none',
      scope: 'openid users:read',
      first_party: true,
      allowed_resources: ['https://api.example.com', 'urn:example:api'],
      logo_uri: 'https://example.com/logo.png',
    });
    expect(registered).toMatchObject({ grant_types: ['authorization_code'], token_endpoint_auth_method: 'none', scope: 'openid users:read', first_party: true, allowed_resources: ['https://api.example.com', 'urn:example:api'] });
    expect(registered).not.toHaveProperty('logo_uri');
  });

  it('defaults the scope of a client_credentials-only client to none', () => {
    expect(register({ client_name: 'Worker', grant_types: ['client_credentials'] })).toMatchObject({ scope: '', redirect_uris: [] });
    expect(defaultScope(['authorization_code'])).toBe('openid profile email');
  });

  it('refuses a redirect URI that is relative, has a fragment, or is http off the loopback, naming the rule', () => {
    expect(refusal({ client_name: 'A', redirect_uris: ['/cb'] })).toBe('Invalid request: redirect_uris must be an absolute URI.');
    expect(refusal({ client_name: 'A', redirect_uris: ['https://a.example.com/cb#x'] })).toBe('Invalid request: redirect_uris must not contain a fragment (#).');
    expect(refusal({ client_name: 'A', redirect_uris: ['http://a.example.com/cb'] })).toBe('Invalid request: redirect_uris must use https (or http on 127.0.0.1, [::1] or localhost).');
    expect(refusal({ client_name: 'A', redirect_uris: ['https://a.example.com/cb'], post_logout_redirect_uris: ['http://a.example.com/'] })).toContain('post_logout_redirect_uris must use https');
    expect(refusal({ client_name: 'A', redirect_uris: ['https://a.example.com/cb', 'https://a.example.com/cb'] })).toBe('Invalid request: redirect_uris must not repeat a URI.');
  });

  it('refuses client_credentials for a public client, refresh_token without a code grant, and a code grant without a redirect URI', () => {
    expect(refusal({ client_name: 'A', token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] })).toContain('client_credentials is for confidential clients only');
    expect(refusal({ client_name: 'A', grant_types: ['refresh_token', 'client_credentials'] })).toContain('refresh_token goes with authorization_code');
    expect(refusal({ client_name: 'A', token_endpoint_auth_method: 'none' })).toContain('redirect_uris must hold at least one URI');
    expect(refusal({ client_name: 'A' })).toContain('redirect_uris must hold at least one URI');
  });

  it('refuses unknown grants and methods, an empty or repeated grant list, a bad scope or resource, and a missing or blank name', () => {
    const uris = { redirect_uris: ['https://a.example.com/cb'] };
    expect(refusal({ ...uris, client_name: 'A', grant_types: ['implicit'] })).toMatch(/grant_types/);
    expect(refusal({ ...uris, client_name: 'A', grant_types: [] })).toMatch(/grant_types/);
    expect(refusal({ ...uris, client_name: 'A', grant_types: ['authorization_code', 'authorization_code'] })).toMatch(/grant_types must not repeat/);
    expect(refusal({ ...uris, client_name: 'A', token_endpoint_auth_method: 'private_key_jwt' })).toMatch(/token_endpoint_auth_method/);
    expect(refusal({ ...uris, client_name: 'A', scope: 'openid  profile' })).toMatch(/scope must be scope names/);
    expect(refusal({ ...uris, client_name: 'A', scope: 'open"id' })).toMatch(/scope must be scope names/);
    expect(refusal({ ...uris, client_name: 'A', allowed_resources: ['api.example.com'] })).toMatch(/allowed_resources must be absolute URIs/);
    expect(refusal({ ...uris, client_name: 'A', allowed_resources: ['https://api.example.com/#x'] })).toMatch(/allowed_resources/);
    expect(refusal({ ...uris, client_name: 'A', first_party: 'yes' })).toMatch(/first_party/);
    expect(refusal({ ...uris })).toMatch(/client_name/);
    expect(refusal({ ...uris, client_name: '   ' })).toMatch(/client_name must be 1 to 100 characters/);
    expect(refusal({ ...uris, client_name: 'A\u202Eb' })).toMatch(/bidirectional/);
  });
});

describe('toClientView', () => {
  it('shows the RFC 7591 fields and never the secret\'s hash', () => {
    const client: OAuthClient = {
      clientId: 'c1',
      clientName: 'App',
      redirectUris: ['https://a.example.com/cb'],
      postLogoutRedirectUris: [],
      grantTypes: ['authorization_code'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      scope: 'openid',
      firstParty: false,
      allowedResources: [],
      createdAt: Date.UTC(2026, 0, 1),
      secretHash: 'the-hash',
      secretRotatedAt: Date.UTC(2026, 0, 2),
    };
    const view = toClientView(client);
    expect(view).toEqual({
      client_id: 'c1',
      client_name: 'App',
      redirect_uris: ['https://a.example.com/cb'],
      post_logout_redirect_uris: [],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid',
      first_party: false,
      allowed_resources: [],
      created_at: '2026-01-01T00:00:00.000Z',
    });
    expect(JSON.stringify(view)).not.toContain('the-hash');
  });
});
