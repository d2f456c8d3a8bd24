import { permissionRequirement, REQUIREMENT_DENIALS, requirementsOf, scopeHolds, unmetRequirement } from '../../../lib/authorizer/requirements';
import { sessionClaimsWith, type SessionClaims } from '../../../lib/tokens/session-claims';

const claims = (amr: readonly string[], scope = ''): SessionClaims => sessionClaimsWith({ amr, scope, authTime: 1_767_268_800 });

describe('authorizer requirements', () => {
  it('an empty list (the plain authorizer) holds for any valid token', () => {
    expect(unmetRequirement(claims([]), [])).toBeUndefined();
  });

  it('a required amr holds only when the sign-in used that method, and is insufficient_authentication otherwise', () => {
    const mfa = [{ kind: 'amr', method: 'mfa' }] as const;
    expect(unmetRequirement(claims(['pwd', 'otp', 'mfa']), mfa)).toBeUndefined();
    expect(unmetRequirement(claims(['pwd', 'otp']), mfa)).toBe('insufficient_authentication');
    expect(unmetRequirement(claims([]), mfa)).toBe('insufficient_authentication');
  });

  it('every requirement of the list must hold', () => {
    const both = [{ kind: 'amr', method: 'pwd' }, { kind: 'amr', method: 'mfa' }] as const;
    expect(unmetRequirement(claims(['pwd']), both)).toBe('insufficient_authentication');
    expect(unmetRequirement(claims(['hwk', 'user', 'mfa']), both)).toBe('insufficient_authentication');
    expect(unmetRequirement(claims(['pwd', 'otp', 'mfa']), both)).toBeUndefined();
  });

  it('AUTHORIZER_REQUIRED_AMR becomes one amr requirement; unset, none: the MFA and plain authorizers differ only in this list', () => {
    expect(requirementsOf({ requiredAmr: 'mfa' })).toEqual([{ kind: 'amr', method: 'mfa' }]);
    expect(requirementsOf({ requiredAmr: undefined })).toEqual([]);
  });

  it('a required permission holds only when the scope holds that whole value, and is insufficient_scope otherwise', () => {
    const write = [permissionRequirement('users:write')];
    expect(unmetRequirement(claims(['pwd'], 'users:read users:write'), write)).toBeUndefined();
    expect(unmetRequirement(claims(['pwd'], 'users:write'), write)).toBeUndefined();
    for (const scope of ['', 'users:read', 'users:writer', 'x-users:write', 'users:write-all', 'users:wri', 'USERS:WRITE']) {
      expect([scope, unmetRequirement(claims(['pwd'], scope), write)]).toEqual([scope, 'insufficient_scope']);
    }
  });

  it('the amr rule and a route’s permission are checks of one list: the first that fails names the denial', () => {
    const list = [{ kind: 'amr', method: 'mfa' } as const, permissionRequirement('audit:read')];
    expect(unmetRequirement(claims(['pwd', 'otp', 'mfa'], 'audit:read'), list)).toBeUndefined();
    expect(unmetRequirement(claims(['pwd'], 'audit:read'), list)).toBe('insufficient_authentication');
    expect(unmetRequirement(claims(['pwd', 'otp', 'mfa'], 'users:read'), list)).toBe('insufficient_scope');
  });

  it('scopeHolds finds a value anywhere in the list, only between spaces or the ends', () => {
    expect(scopeHolds('a b c', 'b')).toBe(true);
    expect(scopeHolds('ab b', 'b')).toBe(true);
    expect(scopeHolds('ab bc', 'b')).toBe(false);
    expect(scopeHolds('b', '')).toBe(false);
  });

  it('its denials are the ones the authorizer answers with a Deny policy (403) rather than 401', () => {
    expect([...REQUIREMENT_DENIALS]).toEqual(['insufficient_authentication', 'insufficient_scope']);
  });
});
