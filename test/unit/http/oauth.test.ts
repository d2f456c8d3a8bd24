import { InvalidRefreshTokenError, MfaRequiredError, PayloadTooLargeError, ServiceUnavailableError } from '../../../lib/core/errors';
import { OAuthError, OAUTH_ERROR_STATUS } from '../../../lib/core/oauth-errors';
import { toApiGatewayResult } from '../../../lib/http/http';
import { oauthErrors } from '../../../lib/http/oauth';
import { capturingLogger } from '../../support/fixtures';

const map = (error: unknown) => oauthErrors(error, capturingLogger().logger);

describe("OAuth's error shape (RFC 6749 §5.2)", () => {
  it('answers { error, error_description } with the status of the code, no-store and no message member', () => {
    const result = toApiGatewayResult(map(new OAuthError('invalid_grant', 'The code was already used.')), {});
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toEqual({ error: 'invalid_grant', error_description: 'The code was already used.' });
    expect(result.headers).toMatchObject({ 'Cache-Control': 'no-store', Pragma: 'no-cache', 'Content-Type': 'application/json' });
  });

  it('answers invalid_client 401 with a Basic challenge when the client used Basic, and without one otherwise', () => {
    const basic = map(new OAuthError('invalid_client', 'Client authentication failed.', { clientAuthScheme: 'Basic' }));
    expect(basic.status).toBe(401);
    expect(basic.headers?.['WWW-Authenticate']).toMatch(/^Basic realm="oauth2"/);
    const post = map(new OAuthError('invalid_client', 'Client authentication failed.'));
    expect(post.status).toBe(401);
    expect(post.headers?.['WWW-Authenticate']).toBeUndefined();
  });

  it('answers invalid_token 401 and insufficient_scope 403 with a Bearer challenge (RFC 6750 §3.1)', () => {
    expect(map(new OAuthError('invalid_token', 'expired'))).toMatchObject({ status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
    expect(map(new OAuthError('insufficient_scope', 'needs openid'))).toMatchObject({ status: 403, headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' } });
  });

  it('has a status for every code, 4xx for client errors and 5xx only for the server ones', () => {
    for (const [code, status] of Object.entries(OAUTH_ERROR_STATUS)) {
      expect([code, status >= 500]).toEqual([code, code === 'server_error' || code === 'temporarily_unavailable']);
    }
  });

  it("translates the service's errors code by code, keeping status and Retry-After", () => {
    expect(map(new PayloadTooLargeError(16_384))).toMatchObject({ status: 413, body: { error: 'invalid_request' } });
    expect(map(new InvalidRefreshTokenError())).toMatchObject({ status: 401, body: { error: 'invalid_grant' } });
    expect(map(new ServiceUnavailableError())).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable' }, headers: { 'Retry-After': '2' } });
  });

  it("never passes on the service's extra members (an MFA token) to an OAuth client", () => {
    expect(map(new MfaRequiredError('secret-mfa-token', 300)).body).toEqual({ error: 'interaction_required', error_description: expect.any(String) });
  });

  it('answers anything unexpected with server_error 500 that holds no detail, and logs it', () => {
    const log = capturingLogger();
    const response = oauthErrors(new TypeError('secret detail'), log.logger);
    expect(response).toMatchObject({ status: 500, body: { error: 'server_error' } });
    expect(JSON.stringify(response.body)).not.toContain('secret detail');
    expect(log.lines.some((line) => line.message === 'unexpected error')).toBe(true);
  });
});
