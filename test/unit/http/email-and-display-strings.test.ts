import { canonicalEmail } from '../../../lib/core/email-address';
import { InvalidRequestError } from '../../../lib/core/errors';
import { forgotPasswordSchema } from '../../../lib/http/account-schemas';
import { passkeyLoginOptionsSchema, passkeyRegisterVerifySchema } from '../../../lib/http/passkey-requests';
import { credentialsSchema, displayStringSchema, loginSchema, validate } from '../../../lib/http/validation';

const onAws = { allowDotlessDomain: false };
const locally = { allowDotlessDomain: true };
const PASSWORD = 'correct horse battery staple';

const canonical = (raw: string, policy = onAws) => {
  const result = canonicalEmail(raw, policy);
  return result.ok ? result.email : undefined;
};

describe('the canonical form of an email', () => {
  it.each([
    ['Ada@Example.COM.', 'ada@example.com'],
    ['  ada@example.com  ', 'ada@example.com'],
    ['user@bücher.example', 'user@xn--bcher-kva.example'],
    ['user@BÜCHER.example.', 'user@xn--bcher-kva.example'],
    ['user@xn--bcher-kva.example', 'user@xn--bcher-kva.example'],
    ['ｕｓｅｒ@ｅｘａｍｐｌｅ.ｃｏｍ', 'user@example.com'],
    ['user@例え.テスト', 'user@xn--r8jz45g.xn--zckzah'],
    ['Jörg+tag@mail.example.org', 'jörg+tag@mail.example.org'],
  ])('%s is %s', (raw, expected) => {
    expect(canonical(raw)).toBe(expected);
  });

  it('refuses a domain without a dot outside local development, and accepts it locally', () => {
    expect(canonicalEmail('a@localhost', onAws)).toEqual({ ok: false, problem: expect.stringContaining('dot') });
    expect(canonical('a@localhost.', onAws)).toBeUndefined();
    expect(canonical('a@LocalHost', locally)).toBe('a@localhost');
    expect(canonical('a@localhost.', locally)).toBe('a@localhost');
  });

  it.each([
    ['a domain punycode cannot carry', 'a@xn--zz.example'],
    ['a punycode label that decodes to nothing', 'a@xn--a.example'],
    ['a punycode top-level label that does not decode', 'a@example.xn--zz'],
    ['an empty label', 'a@example..com'],
    ['only a dot', 'a@.'],
    ['two trailing dots', 'a@example.com..'],
    ['a label starting with a hyphen', 'a@-example.com'],
    ['a percent-escape a URL parser would decode', 'a@ex%41mple.com'],
    ['a slash a URL parser would cut at', 'a@victim.example/x'],
    ['a numeric last label a URL parser would read as IPv4', 'a@0x7f.1'],
    ['an IPv4 address', 'a@192.0.2.1'],
    ['an underscore', 'a@ex_ample.com'],
    ['a label of 64 characters', `a@${'l'.repeat(64)}.example`],
    ['a bidi control in the domain', 'a@exa\u202emple.com'],
  ])('refuses %s', (_what, raw) => {
    expect(canonicalEmail(raw, locally)).toEqual({ ok: false, problem: expect.any(String) });
  });

  it('counts the limits on the canonical form: a domain whose ASCII form is too long is refused', () => {
    const local = 'a'.repeat(64);
    const ascii = `${local}@${'b'.repeat(58)}.${'c'.repeat(58)}.${'d'.repeat(63)}.example`;
    expect(ascii).toHaveLength(254);
    expect(canonical(ascii)).toBe(ascii);
    expect(canonical(`${'a'.repeat(65)}@example.com`)).toBeUndefined();
    // 236 characters as typed, 276 once each Unicode label is written in punycode (labels of 50 ASCII characters).
    const label = 'üöäßéèêëïî'.repeat(4);
    const unicode = `${local}@${label}.${label}.${label}.${label}.example`;
    expect(unicode).toHaveLength(236);
    expect(canonical(`a@${label}.example`)).toMatch(/^a@xn--[a-z0-9-]{46}\.example$/);
    expect(canonical(unicode)).toBeUndefined();
  });

  it('every schema that takes an email gives the same canonical form, so one mailbox is one account', () => {
    const raw = ' Ada@Example.COM. ';
    expect(validate(credentialsSchema(onAws), { email: raw, password: PASSWORD }).email).toBe('ada@example.com');
    expect(validate(loginSchema(onAws), { email: raw, password: PASSWORD }).email).toBe('ada@example.com');
    expect(validate(forgotPasswordSchema(onAws), { email: raw }).email).toBe('ada@example.com');
    expect(validate(passkeyLoginOptionsSchema(onAws), { email: raw }).email).toBe('ada@example.com');
  });

  it('a refused email is 400 invalid_request naming the rule, never echoing the value', () => {
    for (const schema of [credentialsSchema(onAws), loginSchema(onAws)]) {
      expect(() => validate(schema, { email: 'a@localhost', password: PASSWORD })).toThrow(InvalidRequestError);
    }
    expect(() => validate(forgotPasswordSchema(onAws), { email: 'secret-name@localhost' })).toThrow(/domain with a dot/);
    expect(() => validate(forgotPasswordSchema(onAws), { email: 'secret-name@localhost' })).not.toThrow(/secret-name/);
    expect(() => validate(passkeyLoginOptionsSchema(onAws), { email: 'a@ex%41mple.com' })).toThrow(InvalidRequestError);
    expect(validate(passkeyLoginOptionsSchema(locally), { email: 'a@localhost' }).email).toBe('a@localhost');
  });
});

describe('display strings (passkey names; later client names)', () => {
  const name = displayStringSchema('name', 64);
  const response = { id: 'x' };

  it('are trimmed and kept as typed otherwise', () => {
    expect(validate(name, '  Laptop — Ada’s  ')).toBe('Laptop — Ada’s');
    expect(validate(name, '👩‍💻 work key')).toBe('👩‍💻 work key'); // a zero-width joiner inside an emoji is not a bidi control
    expect(validate(name, 'ن'.repeat(64))).toBe('ن'.repeat(64));
  });

  it.each([
    ['U+202A LEFT-TO-RIGHT EMBEDDING', '\u202a'],
    ['U+202B RIGHT-TO-LEFT EMBEDDING', '\u202b'],
    ['U+202C POP DIRECTIONAL FORMATTING', '\u202c'],
    ['U+202D LEFT-TO-RIGHT OVERRIDE', '\u202d'],
    ['U+202E RIGHT-TO-LEFT OVERRIDE', '\u202e'],
    ['U+2066 LEFT-TO-RIGHT ISOLATE', '\u2066'],
    ['U+2067 RIGHT-TO-LEFT ISOLATE', '\u2067'],
    ['U+2068 FIRST STRONG ISOLATE', '\u2068'],
    ['U+2069 POP DIRECTIONAL ISOLATE', '\u2069'],
    ['U+200E LEFT-TO-RIGHT MARK', '\u200e'],
    ['U+200F RIGHT-TO-LEFT MARK', '\u200f'],
    ['U+061C ARABIC LETTER MARK', '\u061c'],
  ])('refuse %s with 400 invalid_request, in a passkey name too', (_what, control) => {
    expect(() => validate(name, `Laptop ${control}gpj.exe`)).toThrow(/bidirectional control/);
    expect(() => validate(passkeyRegisterVerifySchema, { response, name: `Laptop ${control}gpj.exe` })).toThrow(InvalidRequestError);
  });

  it('refuse control characters, an empty name and one over the limit', () => {
    for (const bad of ['a\u0000b', 'a\nb', '   ', '', 'x'.repeat(65), '😀'.repeat(65)]) {
      expect(() => validate(passkeyRegisterVerifySchema, { response, name: bad })).toThrow(InvalidRequestError);
    }
    expect(validate(passkeyRegisterVerifySchema, { response, name: '😀'.repeat(64) }).name).toBe('😀'.repeat(64));
  });
});
