import { authorizeAdmin } from '../../../lib/admin/admin-access';
import { loadAdminPolicy } from '../../../lib/admin/config';
import { AccessDeniedError, ConfigError, MfaRequiredForAdminError } from '../../../lib/core/errors';

const client = { ip: '198.51.100.7', userAgent: 'jest' };
const REQUIRE_MFA = { requireMfa: true };
const principal = (scope: string, amr: string[]) => ({ sub: 'admin-1', scope, amr });

describe('the admin check', () => {
  it('lets through a token with the permission and mfa, and says who the caller is', () => {
    expect(authorizeAdmin(principal('users:read users:write', ['pwd', 'otp', 'mfa']), client, 'users:write', REQUIRE_MFA)).toEqual({ userId: 'admin-1', ...client });
  });

  it('refuses a token without the permission with access_denied, naming the permission (insufficient_scope), whatever its amr', () => {
    for (const amr of [['pwd'], ['pwd', 'otp', 'mfa']]) {
      let refusal: unknown;
      try {
        authorizeAdmin(principal('users:read audit:read', amr), client, 'users:write', REQUIRE_MFA);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(AccessDeniedError);
      expect(refusal).toMatchObject({ code: 'access_denied', status: 403, headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="users:write"' } });
    }
  });

  it('matches whole permissions only: users:writer or a prefix is not users:write', () => {
    expect(() => authorizeAdmin(principal('users:writer users', ['mfa']), client, 'users:write', REQUIRE_MFA)).toThrow(AccessDeniedError);
    expect(() => authorizeAdmin(principal('', ['mfa']), client, 'users:read', REQUIRE_MFA)).toThrow(AccessDeniedError);
  });

  it('refuses a token with the permission but no mfa with mfa_required_for_admin while ADMIN_REQUIRE_MFA is on', () => {
    expect(() => authorizeAdmin(principal('users:read', ['pwd']), client, 'users:read', REQUIRE_MFA)).toThrow(MfaRequiredForAdminError);
    expect(() => authorizeAdmin(principal('users:read', ['pwd', 'otp']), client, 'users:read', REQUIRE_MFA)).toThrow(expect.objectContaining({ code: 'mfa_required_for_admin', status: 403 }));
    expect(authorizeAdmin(principal('users:read', ['pwd']), client, 'users:read', { requireMfa: false })).toMatchObject({ userId: 'admin-1' });
  });

  it('ADMIN_REQUIRE_MFA is on unless set to false, and anything but true or false is a ConfigError naming it', () => {
    expect(loadAdminPolicy({})).toEqual({ requireMfa: true });
    expect(loadAdminPolicy({ ADMIN_REQUIRE_MFA: 'false' })).toEqual({ requireMfa: false });
    expect(() => loadAdminPolicy({ ADMIN_REQUIRE_MFA: 'no' })).toThrow(ConfigError);
    expect(() => loadAdminPolicy({ ADMIN_REQUIRE_MFA: 'no' })).toThrow(/ADMIN_REQUIRE_MFA/);
  });
});
