import { AccessTokenRejectedError } from '../../../lib/tokens/access-token-rejection';
import {
  NO_SESSION_CLAIMS,
  readSessionClaims,
  SESSION_CLAIMS,
  sessionClaimsContext,
  sessionClaimsFromContext,
  writeSessionClaims,
  type SessionClaims,
} from '../../../lib/tokens/session-claims';

const CLAIMS: SessionClaims = { scope: 'profile:read', amr: ['pwd', 'otp', 'mfa'], roles: ['admin', 'support'], authTime: 1_767_268_800 };

const refusalOf = (source: Record<string, unknown>) => {
  try {
    readSessionClaims(source);
  } catch (error) {
    return error;
  }
  throw new Error('accepted');
};

describe('the session claim schema', () => {
  it('writes the claims under their token names and reads them back unchanged', () => {
    // Arrange / Act
    const written = writeSessionClaims(CLAIMS);
    // Assert
    expect(written).toEqual({ scope: 'profile:read', amr: ['pwd', 'otp', 'mfa'], roles: ['admin', 'support'], auth_time: 1_767_268_800 });
    expect(readSessionClaims(JSON.parse(JSON.stringify(written)))).toEqual(CLAIMS);
  });

  it('leaves out what says nothing: an empty scope and an absent auth_time; no roles is said outright, as []', () => {
    expect(writeSessionClaims({ scope: '', amr: [], roles: [], authTime: undefined })).toEqual({ amr: [], roles: [] });
  });

  it('reads a token or stored map from before a claim existed as that claim absent', () => {
    expect(readSessionClaims({})).toEqual({ scope: '', amr: [], roles: [], authTime: undefined });
    expect(NO_SESSION_CLAIMS).toEqual({ scope: '', amr: [], roles: [], authTime: undefined });
  });

  it.each([
    ['scope not a string', { scope: 7 }],
    ['amr not an array', { amr: 'pwd' }],
    ['amr with a space in a value', { amr: ['pwd otp'] }],
    ['amr with 17 values', { amr: Array.from({ length: 17 }, (_, index) => `m${index}`) }],
    ['amr with a value of 33 characters', { amr: ['x'.repeat(33)] }],
    ['roles not an array', { roles: 'admin' }],
    ['roles with a value that is not a role name', { roles: ['Admin'] }],
    ['roles with a space in a value', { roles: ['admin user'] }],
    ['roles with 17 values', { roles: Array.from({ length: 17 }, (_, index) => `r${index}`) }],
    ['auth_time as a string', { auth_time: '1767268800' }],
    ['auth_time null', { auth_time: null }],
    ['auth_time infinite', { auth_time: Number.POSITIVE_INFINITY }],
  ])('refuses %s as invalid_claim', (_name, source) => {
    const refusal = refusalOf(source);
    expect(refusal).toBeInstanceOf(AccessTokenRejectedError);
    expect(refusal).toMatchObject({ code: 'invalid_claim' });
  });

  it('gives the authorizer context flat values, and lib/http reads them back, as strings too', () => {
    // Arrange
    const context = sessionClaimsContext(CLAIMS);
    // Act / Assert
    expect(context).toEqual({ scope: 'profile:read', amr: 'pwd otp mfa', roles: 'admin support', auth_time: 1_767_268_800 });
    expect(sessionClaimsFromContext(context)).toEqual(CLAIMS);
    // API Gateway hands context values to the handler as strings.
    expect(sessionClaimsFromContext({ scope: 'a b', amr: 'hwk user', roles: 'admin', auth_time: '1767268800' })).toEqual({ scope: 'a b', amr: ['hwk', 'user'], roles: ['admin'], authTime: 1_767_268_800 });
  });

  it('reads a context without the claims (or with junk) as the claims absent; 0 is no auth_time', () => {
    expect(sessionClaimsContext(NO_SESSION_CLAIMS)).toEqual({ scope: '', amr: '', roles: '', auth_time: 0 });
    expect(sessionClaimsFromContext({ auth_time: 0 })).toEqual(NO_SESSION_CLAIMS);
    expect(sessionClaimsFromContext({ scope: 1, amr: ['pwd'], roles: ['admin'], auth_time: '-5' })).toEqual(NO_SESSION_CLAIMS);
  });

  it('names every claim once, so no two entries write the same token member', () => {
    const names = Object.values(SESSION_CLAIMS).map((codec) => codec.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).not.toEqual(expect.arrayContaining(['sub', 'sid']));
  });
});
