import { REQUIREMENT_DENIALS, requirementsOf, unmetRequirement } from '../../../lib/authorizer/requirements';
import { sessionClaimsWith, type SessionClaims } from '../../../lib/tokens/session-claims';

const claims = (amr: readonly string[]): SessionClaims => sessionClaimsWith({ amr, authTime: 1_767_268_800 });

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

  it('its denials are the ones the authorizer answers with a Deny policy (403) rather than 401', () => {
    expect([...REQUIREMENT_DENIALS]).toEqual(['insufficient_authentication']);
  });
});
