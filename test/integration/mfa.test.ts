import { ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { AccountDisabledError, InvalidMfaCodeError, InvalidMfaTokenError } from '../../lib/core/errors';
import { localClient } from '../../scripts/dev/dynamodb-local';
import { claimsOf, createMfaKit, NEW_PASSWORD, type MfaKit } from '../support/mfa-kit';

// Multi-factor sign-in against DynamoDB Local: the conditional writes and transactions under real
// concurrency, the requests an MFA login costs, and what a copy of the table would reveal.
describe('TOTP and recovery codes on DynamoDB Local', () => {
  let kit: MfaKit;
  beforeAll(async () => {
    kit = await createMfaKit('dynamodb');
  });

  it('an MFA login costs 4 requests for the password step and 7 for the second step (its session is stored only while the account is not disabled)', async () => {
    const { email, userId, secret } = await kit.enrol();
    kit.requests.length = 0;
    const mfaToken = await kit.loginForToken(email);
    // attempt count, account, the right password's attempt taken back, the MFA token.
    expect([...kit.requests].sort()).toEqual(['GetItem', 'PutItem', 'UpdateItem', 'UpdateItem']);
    kit.requests.length = 0;
    const { tokens } = await kit.verify(mfaToken, { code: kit.code(secret) });
    // token, throttle count, account; the transaction; throttle reset; session cap query and put.
    expect([...kit.requests].sort()).toEqual(['DeleteItem', 'GetItem', 'GetItem', 'Query', 'TransactWriteItems', 'TransactWriteItems', 'UpdateItem']);
    expect(claimsOf(tokens.accessToken)).toMatchObject({ sub: userId, amr: ['pwd', 'otp', 'mfa'] });
  });

  it('a disabled account gets no token from either step: an MFA login started before the disable is invalid_mfa_token; a new one is account_disabled at the password', async () => {
    const { email, userId, secret } = await kit.enrol();
    const mfaToken = await kit.loginForToken(email);
    expect(await kit.users.setDisabled({ id: userId, email }, true)).toBe(true);
    await expect(kit.verify(mfaToken, { code: kit.code(secret) })).rejects.toThrow(InvalidMfaTokenError);
    await expect(kit.login(email)).rejects.toThrow(AccountDisabledError);
  });

  it('of concurrent verifies with one MFA token, exactly one succeeds; the others are invalid_mfa_token or invalid_mfa_code', async () => {
    const { email, secret, recoveryCodes } = await kit.enrol();
    const mfaToken = await kit.loginForToken(email);
    const code = kit.code(secret);
    const results = await Promise.allSettled([
      kit.verify(mfaToken, { code }),
      kit.verify(mfaToken, { code }),
      kit.verify(mfaToken, { recoveryCode: recoveryCodes[0]! }),
      kit.verify(mfaToken, { recoveryCode: recoveryCodes[1]! }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) if (result.status === 'rejected') expect([InvalidMfaTokenError, InvalidMfaCodeError].some((type) => result.reason instanceof type)).toBe(true);
  });

  it('one recovery code used by concurrent logins succeeds exactly once, and never again', async () => {
    const { email, recoveryCodes } = await kit.enrol();
    const tokens = await Promise.all([1, 2, 3].map(() => kit.loginForToken(email)));
    const results = await Promise.allSettled(tokens.map((token) => kit.verify(token, { recoveryCode: recoveryCodes[2]! })));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(InvalidMfaCodeError);
    await expect(kit.verify(await kit.loginForToken(email), { recoveryCode: recoveryCodes[2]! })).rejects.toThrow(InvalidMfaCodeError);
  });

  it('one TOTP code used by concurrent logins succeeds exactly once', async () => {
    const { email, secret } = await kit.enrol();
    const tokens = await Promise.all([1, 2, 3].map(() => kit.loginForToken(email)));
    const code = kit.code(secret);
    const results = await Promise.allSettled(tokens.map((token) => kit.verify(token, { code })));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(InvalidMfaCodeError);
  });

  it('setup twice before confirm: the first secret no longer confirms', async () => {
    const { userId } = await kit.register();
    const first = await kit.setup(userId);
    const second = await kit.setup(userId);
    await expect(kit.confirm(userId, kit.code(first.secret))).rejects.toThrow(InvalidMfaCodeError);
    await expect(kit.confirm(userId, kit.code(second.secret))).resolves.toMatchObject({ recoveryCodes: expect.any(Array) });
  });

  it('a new password ends pending MFA tokens; one landing just before the spending transaction too, leaving the code unspent', async () => {
    const { email, userId, secret } = await kit.enrol();
    const early = await kit.loginForToken(email);
    const late = await kit.loginForToken(email);
    const complete = kit.mfa.completeLogin.bind(kit.mfa);
    try {
      // The change lands after the verify step's checks, before its transaction: only the transaction's condition sees it.
      kit.mfa.completeLogin = async (input) => {
        await kit.newPassword(email, userId);
        return complete(input);
      };
      await expect(kit.verify(late, { code: kit.code(secret) })).rejects.toThrow(InvalidMfaTokenError);
    } finally {
      kit.mfa.completeLogin = complete;
    }
    await expect(kit.verify(early, { code: kit.code(secret) })).rejects.toThrow(InvalidMfaTokenError);
    const fresh = await kit.loginForToken(email, 'body', NEW_PASSWORD);
    await expect(kit.verify(fresh, { code: kit.code(secret) })).resolves.toMatchObject({ tokens: { userId } });
  });

  it('an account stored before credentials versions (no attribute) is at version 0: its MFA tokens work until a new password', async () => {
    const { email, userId, secret } = await kit.enrol();
    const users = localClient(process.env.TEST_DYNAMODB_ENDPOINT!);
    await users.send(new UpdateItemCommand({ TableName: process.env.TEST_USERS_TABLE, Key: { pk: { S: `EMAIL#${email}` } }, UpdateExpression: 'REMOVE credentialsVersion' }));
    expect((await kit.users.findByEmail(email))!.credentialsVersion).toBe(0);
    await expect(kit.verify(await kit.loginForToken(email), { code: kit.code(secret) })).resolves.toMatchObject({ tokens: { userId } });
    kit.nextStep();
    const pending = await kit.loginForToken(email);
    await kit.newPassword(email, userId);
    expect((await kit.users.findByEmail(email))!.credentialsVersion).toBe(1);
    await expect(kit.verify(pending, { code: kit.code(secret) })).rejects.toThrow(InvalidMfaTokenError);
  });

  it('a scan of the users table after enrolment and logins shows no TOTP secret, recovery code or MFA token in any readable form', async () => {
    const { email, userId, secret, recoveryCodes } = await kit.enrol();
    const pending = await kit.setup((await kit.register()).userId); // an unconfirmed secret too
    const unusedToken = await kit.loginForToken(email);
    const usedToken = await kit.loginForToken(email);
    await kit.verify(usedToken, { code: kit.code(secret) });
    const { Items = [] } = await localClient(process.env.TEST_DYNAMODB_ENDPOINT!).send(new ScanCommand({ TableName: process.env.TEST_USERS_TABLE }));
    const table = JSON.stringify(Items);
    expect(table).toContain(userId); // the scan does see this account's items
    expect(table).toContain('"totpSecret"');
    const forbidden = [...readableForms(secret), ...readableForms(pending.secret), unusedToken, usedToken];
    for (const code of recoveryCodes) forbidden.push(code, code.replace('-', ''), code.toUpperCase());
    for (const value of forbidden) expect(table).not.toContain(value);
  });
});

/** A base32 secret as text and its bytes in the usual encodings. */
function readableForms(base32: string): string[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const character of base32) bits += alphabet.indexOf(character).toString(2).padStart(5, '0');
  const bytes = Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
  return [base32, base32.toLowerCase(), bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')];
}
