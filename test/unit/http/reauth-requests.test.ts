import { InvalidRequestError } from '../../../lib/core/errors';
import { toHttpRequest } from '../../../lib/http/http';
import { readReauthenticationProof } from '../../../lib/http/reauth-requests';
import { restEvent } from '../../support/events';
import { sessionClaimsWith } from '../../../lib/tokens/session-claims';

describe('the body of POST /auth/reauthenticate', () => {
  it.each<[string, unknown, unknown]>([
    ['a password alone', { password: 'pw' }, { kind: 'password', password: 'pw', code: undefined, recoveryCode: undefined }],
    ['a password and a code', { password: 'pw', code: '123456' }, { kind: 'password', password: 'pw', code: '123456', recoveryCode: undefined }],
    ['a password and a recovery code', { password: 'pw', recovery_code: 'abcde-fghjk' }, { kind: 'password', password: 'pw', code: undefined, recoveryCode: 'abcde-fghjk' }],
    ['a passkey assertion', { challenge_id: 'c1', response: { id: 'x' } }, { kind: 'passkey', challengeId: 'c1', response: { id: 'x' } }],
    ['unknown members beside a password', { password: 'pw', remember: true }, { kind: 'password', password: 'pw', code: undefined, recoveryCode: undefined }],
  ])('reads %s', (_case, body, proof) => {
    expect(readReauthenticationProof(body)).toEqual(proof);
  });

  it.each<[string, unknown]>([
    ['no body', undefined],
    ['an empty object', {}],
    ['a number', 0],
    ['a password that is not a string', { password: 42 }],
    ['both a code and a recovery code', { password: 'pw', code: '123456', recovery_code: 'abcde-fghjk' }],
    ['a code that is not a string', { password: 'pw', code: 123456 }],
    ['a password and a passkey assertion', { password: 'pw', challenge_id: 'c1', response: {} }],
    ['a challenge id without a response', { challenge_id: 'c1' }],
    ['a response without a challenge id', { response: {} }],
    ['an empty challenge id', { challenge_id: '', response: {} }],
    ['a response that is not an object', { challenge_id: 'c1', response: 'signed' }],
  ])('refuses %s with invalid_request', (_case, body) => {
    expect(() => readReauthenticationProof(body)).toThrow(InvalidRequestError);
  });
});

describe('auth_time from the authorizer context', () => {
  const principalOf = (authorizer: Record<string, unknown>) => toHttpRequest(restEvent({ authorizer: { sub: 'u', sid: 's', scope: '', amr: 'pwd', ...authorizer } as Record<string, string> })).principal;

  it('reads it as API Gateway passes it (a string) and as serverless-offline does (a number)', () => {
    expect(principalOf({ auth_time: '1767268800' })).toEqual({ ...sessionClaimsWith({ amr: ['pwd'], authTime: 1767268800 }), sub: 'u', sid: 's' });
    expect(principalOf({ auth_time: 1767268800 })?.authTime).toBe(1767268800);
  });

  it.each([['absent', undefined], ['0 (a token without auth_time)', 0], ['"0"', '0'], ['not a number', 'soon'], ['a fraction', 1.5], ['negative', '-5'], ['huge', '9'.repeat(20)]])('leaves it undefined when %s: such a sign-in is never recent', (_case, value) => {
    expect(principalOf(value === undefined ? {} : { auth_time: value })?.authTime).toBeUndefined();
  });
});
