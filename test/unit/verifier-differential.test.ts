import { isDeepStrictEqual } from 'node:util';
import { ACCESS_TOKEN_REJECTIONS, AccessTokenRejectedError, type AccessTokenRejection, type AccessTokenVerifier } from '../../lib/tokens/access-token-verifier';
import { attackTokens } from '../support/attack-catalogue';
import { b64url, compact, encodeJson, segmentsOf, signWith, type Json } from '../support/jose-primitives';
import { createReferenceVerifier, type ReferenceOutcome } from '../support/reference-verifier';
import { ALGORITHMS, attackerKeyOf, AUDIENCE, createTokenKit, ISSUER, NOW, SKEW_SECONDS, TTL_SECONDS, verifierFor, type TokenKit } from '../support/token-kit';

/**
 * The access-token verifier against an independent oracle (jose's jwtVerify with every option, plus
 * the service's policy written again in test/support/reference-verifier.ts): the same corpus
 * through both must give the same decision, and the same principal when accepted. Which check
 * refuses a token is not compared. A seeded PRNG picks the mutations, so a failure names its seed
 * and the recipe of the token that diverged (ECDSA signatures are randomised by OpenSSL, so the
 * token bytes themselves differ per run).
 */
const SEED = 0x2026_0101;
const MUTATIONS_PER_ALGORITHM = 1250;

interface Sample {
  readonly recipe: string;
  readonly token: string;
  /** Signed claims worth a second pass with no clock skew (byte-level damage is not). */
  readonly timed?: boolean;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const STRANGE_CHARACTERS = ['=', '+', '/', ' ', '.', '\n', '%', '\u00e9', '\u0000'];
const TIME_OFFSETS = [
  -TTL_SECONDS - SKEW_SECONDS - 1,
  -TTL_SECONDS - SKEW_SECONDS,
  -TTL_SECONDS - SKEW_SECONDS + 1,
  -TTL_SECONDS,
  -SKEW_SECONDS - 1,
  -SKEW_SECONDS,
  -SKEW_SECONDS + 1,
  -1,
  0,
  1,
  SKEW_SECONDS - 1,
  SKEW_SECONDS,
  SKEW_SECONDS + 1,
  TTL_SECONDS,
  TTL_SECONDS + SKEW_SECONDS,
];
const ODD_TIMES: unknown[] = [String(NOW), null, true, false, [NOW], {}, '', -1, 0, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER, NOW * 1000, NOW + 0.5, NOW - 0.5];
const ODD_STRINGS: unknown[] = ['', 0, 1, null, true, [], ['x'], {}, { value: 'x' }, undefined];
const TYPS: unknown[] = ['at+jwt', 'AT+JWT', 'At+Jwt', 'application/at+jwt', 'Application/AT+JWT', 'APPLICATION/AT+JWT', 'jwt', 'JWT', 'application/jwt', 'at+jwt ', ' at+jwt', 'text/at+jwt', 'application/at+jwt/x', 'x/application/at+jwt', '', undefined, null, 1, ['at+jwt'], { typ: 'at+jwt' }];
const AUDS: unknown[] = [[AUDIENCE], ['x', AUDIENCE], ['x'], [], [AUDIENCE, 1], [1, AUDIENCE], [null, AUDIENCE], 'x', null, undefined, 1, { aud: AUDIENCE }, [[AUDIENCE]], AUDIENCE.toUpperCase(), `${AUDIENCE} `];
const AMRS: unknown[] = [undefined, [], ['pwd'], ['hwk', 'user', 'mfa'], ['pwd', 'otp', 'mfa'], ['x'.repeat(32)], ['x'.repeat(33)], ['a b'], [''], ['pw\u00e9'], [1], 'pwd', null, {}, Array.from({ length: 16 }, (_, index) => `m${index}`), Array.from({ length: 17 }, (_, index) => `m${index}`)];
const ISSUERS: unknown[] = [`${ISSUER}/`, ISSUER.toUpperCase(), '', [ISSUER], null, undefined, 1, 'https://attacker.example'];

class Generator {
  readonly random: () => number;
  constructor(seed: number) {
    this.random = mulberry32(seed);
  }
  chance(probability: number): boolean {
    return this.random() < probability;
  }
  integer(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }
  text(length = this.integer(1, 24)): string {
    const characters = 'abcdefghijklmnopqrstuvwxyz0123456789-_:. \u00e9\u00fc\u4e2d\u{1f511}';
    return Array.from({ length }, () => this.pick([...characters])).join('');
  }
  time(): unknown {
    const roll = this.random();
    if (roll < 0.6) return NOW + this.pick(TIME_OFFSETS);
    if (roll < 0.85) return NOW + this.integer(-2 * TTL_SECONDS, 2 * TTL_SECONDS);
    return this.pick(ODD_TIMES);
  }
}

/** Claims around every boundary and of every wrong type; mostly valid, so both paths are exercised. */
function mutatedClaims(g: Generator, kit: TokenKit): { claims: Json; recipe: string[] } {
  const recipe: string[] = [];
  const overrides: Json = {};
  const set = (claim: string, value: unknown) => {
    overrides[claim] = value;
    recipe.push(`${claim}=${value === undefined ? 'absent' : JSON.stringify(value)}`);
  };
  if (g.chance(0.6)) set('iat', g.time());
  if (g.chance(0.6)) set('exp', g.chance(0.5) && typeof overrides.iat === 'number' ? (overrides.iat as number) + g.pick([TTL_SECONDS, TTL_SECONDS - 1, 1, 0]) : g.time());
  if (g.chance(0.3)) set('nbf', g.time());
  if (g.chance(0.1)) set('iss', g.pick(ISSUERS));
  if (g.chance(0.15)) set('aud', g.pick(AUDS));
  for (const claim of ['sub', 'sid', 'jti']) {
    if (g.chance(0.1)) set(claim, g.pick(ODD_STRINGS));
    else if (g.chance(0.3)) set(claim, g.text());
  }
  if (g.chance(0.2)) set('scope', g.chance(0.5) ? g.text() : g.pick(ODD_STRINGS));
  if (g.chance(0.2)) set('amr', g.pick(AMRS));
  if (g.chance(0.1)) set(`x-${g.text(4)}`, g.text());
  for (const claim of ['iat', 'exp', 'iss', 'aud', 'sub', 'sid', 'jti']) if (g.chance(0.02)) set(claim, undefined);
  if (g.chance(0.1)) set('auth_time', g.chance(0.8) ? g.time() : g.pick([undefined, null, '1767268800', true, [NOW], {}]));
  return { claims: kit.claims(overrides), recipe };
}

function mutatedHeader(g: Generator, kit: TokenKit): { header: Json; recipe: string[] } {
  const recipe: string[] = [];
  const overrides: Json = {};
  const set = (member: string, value: unknown) => {
    overrides[member] = value;
    recipe.push(`header.${member}=${value === undefined ? 'absent' : JSON.stringify(value)}`);
  };
  if (g.chance(0.5)) set('typ', g.pick(TYPS));
  if (g.chance(0.1)) set('alg', g.pick(['none', 'None', 'HS256', 'ES256', 'RS256', 'EdDSA', 'Ed25519', kit.algorithm.toLowerCase(), '', undefined, null]));
  if (g.chance(0.15)) set('kid', g.pick([kit.previousKid, 'nope', undefined, 1, null, '__proto__', [kit.kid]]));
  if (g.chance(0.1)) set('cty', g.pick(['JWT', 'at+jwt', 1]));
  if (g.chance(0.05)) set(g.pick(['jwk', 'jku', 'x5u', 'x5c', 'crit', 'b64', 'zip']), g.pick([true, false, [], ['b64'], 'https://attacker.example', {}]));
  return { header: kit.header(overrides), recipe };
}

/** JSON text of a value, sometimes with white space or its members in another order. */
function serialize(g: Generator, value: Json, recipe: string[]): string {
  const roll = g.random();
  if (roll < 0.1) {
    recipe.push('pretty JSON');
    return JSON.stringify(value, null, g.pick([1, 2, '\t']));
  }
  if (roll < 0.2) {
    recipe.push('shuffled members');
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i > 0; i -= 1) {
      const j = g.integer(0, i);
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    return JSON.stringify(Object.fromEntries(entries));
  }
  return JSON.stringify(value);
}

/** Signs with the key the header names (mostly), another configured key, or an attacker's. */
function resign(g: Generator, kit: TokenKit, headerText: string, payloadText: string | Uint8Array, header: Json, recipe: string[]): string {
  const headerSegment = b64url(headerText);
  const payloadSegment = b64url(payloadText);
  const roll = g.random();
  if (roll < 0.85) return kit.sign(headerSegment, payloadSegment, header.kid === kit.previousKid ? 'previous' : 'current');
  if (roll < 0.93) {
    recipe.push('signed by the other configured key');
    return kit.sign(headerSegment, payloadSegment, header.kid === kit.previousKid ? 'current' : 'previous');
  }
  recipe.push('signed by an attacker key');
  return compact(headerSegment, payloadSegment, (input) => signWith(kit.algorithm, attackerKeyOf(kit.algorithm).signingKey, input));
}

/** Payload texts that are not what JSON.stringify writes. */
function rawPayload(g: Generator, kit: TokenKit): { text: string | Uint8Array; recipe: string } {
  const claims = kit.claims();
  const json = JSON.stringify(claims);
  const withExp = (literal: string) => json.replace(/"exp":\d+/, `"exp":${literal}`);
  const choices: Array<() => { text: string | Uint8Array; recipe: string }> = [
    () => ({ text: `\ufeff${json}`, recipe: 'UTF-8 BOM before the JSON' }),
    () => ({ text: `${json}\n`, recipe: 'trailing newline' }),
    () => ({ text: ` \t${json}\r\n `, recipe: 'JSON white space around' }),
    () => ({ text: withExp('1e400'), recipe: 'exp 1e400 (Infinity)' }),
    () => ({ text: withExp('-1e400'), recipe: 'exp -1e400' }),
    () => ({ text: withExp(`${NOW + 60}.0`), recipe: 'exp with a fraction .0' }),
    () => ({ text: withExp(`${(NOW + 60) / 1e9}e9`), recipe: 'exp in exponent notation' }),
    () => ({ text: json.replace(/"iat":\d+/, '"iat":-0'), recipe: 'iat -0' }),
    () => ({ text: json.replace(/"iat":\d+/, `"iat":${NOW + 1e-7}`), recipe: 'iat a hair after now' }),
    () => ({ text: json.replace('{', `{"exp":${NOW - 3600},`), recipe: 'duplicate exp, the last one valid' }),
    () => ({ text: json.replace(/}$/, `,"exp":${NOW - 3600}}`), recipe: 'duplicate exp, the last one expired' }),
    () => ({ text: json.replace(/}$/, `,"sub":"admin"}`), recipe: 'duplicate sub' }),
    () => ({ text: json.replace(/"sub":"[^"]*",?/, '').replace('{', '{"__proto__":{"sub":"admin"},'), recipe: '__proto__ carrying sub' }),
    () => ({ text: json.replace('{', '{"__proto__":null,'), recipe: '__proto__ null' }),
    () => ({ text: json.replace(/"sub":"[^"]*"/, '"sub":"\\ud800"'), recipe: 'sub a lone surrogate escape' }),
    () => ({ text: json.replace(/"sub":"[^"]*"/, '"sub":"\\u0075ser"'), recipe: 'sub with a unicode escape' }),
    () => ({ text: Buffer.concat([Buffer.from(json.slice(0, -1)), Buffer.from(',"x":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), recipe: 'overlong UTF-8' }),
    () => ({ text: Buffer.concat([Buffer.from(json.slice(0, -1)), Buffer.from(',"x":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), recipe: 'UTF-8 encoded surrogate' }),
    () => ({ text: g.pick(['[]', '"x"', '1', 'null', 'true', '{', '', ' ']), recipe: 'not a JSON object' }),
    () => ({ text: JSON.stringify([claims]), recipe: 'claims inside an array' }),
  ];
  return g.pick(choices)();
}

function flipCharacter(g: Generator, token: string, recipe: string[]): string {
  const index = g.integer(0, token.length - 1);
  const replacement = g.chance(0.9) ? g.pick([...ALPHABET]) : g.pick(STRANGE_CHARACTERS);
  const operation = g.pick(['replace', 'insert', 'delete'] as const);
  recipe.push(`${operation} character ${index}`);
  if (operation === 'replace') return token.slice(0, index) + replacement + token.slice(index + 1);
  if (operation === 'insert') return token.slice(0, index) + replacement + token.slice(index);
  return token.slice(0, index) + token.slice(index + 1);
}

function flipBit(g: Generator, token: string, recipe: string[]): string {
  const segments = segmentsOf(token);
  const which = g.integer(0, 2);
  const bytes = Buffer.from(segments[which]!, 'base64url');
  if (bytes.length === 0) return token;
  const bit = g.integer(0, bytes.length * 8 - 1);
  bytes[bit >> 3]! ^= 1 << (bit & 7);
  segments[which] = b64url(bytes);
  recipe.push(`flip bit ${bit} of segment ${which}`);
  return segments.join('.');
}

function swapSegments(g: Generator, token: string, pool: readonly Sample[], recipe: string[]): string {
  const [h, p, s] = segmentsOf(token) as [string, string, string];
  const other = segmentsOf(g.pick(pool).token);
  const choice = g.integer(0, 6);
  recipe.push(['payload.header.signature', 'header.signature.payload', 'header from another token', 'payload from another token', 'signature from another token', 'header.header.signature', 'extra segment'][choice]!);
  switch (choice) {
    case 0:
      return `${p}.${h}.${s}`;
    case 1:
      return `${h}.${s}.${p}`;
    case 2:
      return `${other[0]}.${p}.${s}`;
    case 3:
      return `${h}.${other[1]}.${s}`;
    case 4:
      return `${h}.${p}.${other[2] ?? s}`;
    case 5:
      return `${h}.${h}.${s}`;
    default:
      return `${h}.${p}.${s}.${s}`;
  }
}

function truncateOrExtend(g: Generator, token: string, recipe: string[]): string {
  const segments = segmentsOf(token);
  const which = g.integer(0, 2);
  const count = g.integer(1, 4);
  if (g.chance(0.5)) {
    recipe.push(`drop ${count} characters from segment ${which}`);
    segments[which] = segments[which]!.slice(0, -count);
  } else {
    recipe.push(`append ${count} characters to segment ${which}`);
    segments[which] += Array.from({ length: count }, () => g.pick([...ALPHABET])).join('');
  }
  return segments.join('.');
}

/** Valid tokens, the attack corpus, and MUTATIONS_PER_ALGORITHM random mutations. */
function corpusFor(kit: TokenKit, seed: number, foreign: readonly Sample[]): Sample[] {
  const g = new Generator(seed);
  const valid: Sample[] = [];
  for (let i = 0; i < 25; i += 1) {
    const iat = NOW - g.integer(0, TTL_SECONDS);
    const claims = { iat, exp: iat + TTL_SECONDS, sub: g.text(), sid: g.text(), ...(g.chance(0.8) ? { scope: g.text() } : { scope: undefined }) };
    valid.push({ recipe: `valid ${JSON.stringify(claims)}`, token: kit.token(claims), timed: true });
  }
  valid.push({ recipe: 'valid, previous key', token: kit.sign(encodeJson(kit.header({ kid: kit.previousKid })), encodeJson(kit.claims()), 'previous') });
  const attacks = attackTokens(kit).map((attack) => ({ recipe: `attack: ${attack.name}`, token: attack.token }));
  const pool = [...valid, ...foreign];
  const mutations: Sample[] = [];
  for (let i = 0; i < MUTATIONS_PER_ALGORITHM; i += 1) {
    const recipe: string[] = [];
    const roll = g.random();
    let token: string;
    const timed = roll < 0.52;
    if (roll < 0.45) {
      const { claims, recipe: claimRecipe } = mutatedClaims(g, kit);
      const { header, recipe: headerRecipe } = g.chance(0.3) ? mutatedHeader(g, kit) : { header: kit.header(), recipe: [] };
      recipe.push('re-signed', ...claimRecipe, ...headerRecipe);
      token = resign(g, kit, serialize(g, header, recipe), serialize(g, claims, recipe), header, recipe);
    } else if (roll < 0.52) {
      const { text, recipe: rawRecipe } = rawPayload(g, kit);
      recipe.push('re-signed raw payload', rawRecipe);
      token = resign(g, kit, JSON.stringify(kit.header()), text, kit.header(), recipe);
    } else {
      const base = g.pick(valid).token;
      const kind = g.random();
      if (kind < 0.35) token = flipCharacter(g, base, recipe);
      else if (kind < 0.65) token = flipBit(g, base, recipe);
      else if (kind < 0.85) token = swapSegments(g, base, pool, recipe);
      else token = truncateOrExtend(g, base, recipe);
    }
    mutations.push({ recipe: recipe.join(', '), token, timed });
  }
  return [...valid, ...attacks, ...mutations];
}

type Outcome = ReferenceOutcome | { readonly refusedWith: AccessTokenRejection };

function outcomeOf(verify: AccessTokenVerifier, token: string): Outcome {
  try {
    return { accepted: verify(token) };
  } catch (error) {
    if (error instanceof AccessTokenRejectedError) return { refusedWith: error.code };
    throw error;
  }
}

/** The decision alone: the oracle does not say why it refused. */
const decisionOf = (outcome: Outcome): ReferenceOutcome => ('accepted' in outcome ? { accepted: { ...outcome.accepted, amr: [...outcome.accepted.amr] } } : { refused: true });

const KITS: TokenKit[] = ALGORITHMS.map(createTokenKit);

describe('access-token verifier against the jose oracle (differential)', () => {
  // Samples of every algorithm, for swapping segments across algorithms and keys.
  const foreign: Sample[] = KITS.map((kit) => ({ recipe: `valid ${kit.algorithm}`, token: kit.token() }));

  it.each(KITS.map((kit, index) => [kit.algorithm, kit, index] as const))('%s: same decision and principal on every token', async (_algorithm, kit, index) => {
    const corpus = corpusFor(kit, SEED + index, foreign);
    const configurations = await Promise.all(
      [SKEW_SECONDS, 0].map(async (clockSkewSeconds) => ({
        name: `skew ${clockSkewSeconds}`,
        applies: (sample: Sample) => clockSkewSeconds === SKEW_SECONDS || sample.timed === true,
        oracle: await createReferenceVerifier(kit.config, { maxTokenAgeSeconds: TTL_SECONDS, clockSkewSeconds, clock: kit.clock }),
        verify: verifierFor(kit, { clockSkewSeconds }),
      })),
    );

    const divergences: unknown[] = [];
    const accepted = new Map<string, number>();
    const codes = new Set<AccessTokenRejection>();
    // In batches, so jose's WebCrypto calls overlap on the thread pool.
    for (let start = 0; start < corpus.length; start += 64) {
      await Promise.all(
        corpus.slice(start, start + 64).flatMap((sample) =>
          configurations.map(async ({ name, applies, oracle, verify }) => {
            if (!applies(sample)) return;
            const expected = await oracle(sample.token);
            const actual = outcomeOf(verify, sample.token);
            if ('accepted' in expected) accepted.set(name, (accepted.get(name) ?? 0) + 1);
            if ('refusedWith' in actual) codes.add(actual.refusedWith);
            if (!isDeepStrictEqual(decisionOf(actual), expected)) divergences.push({ configuration: name, recipe: sample.recipe, token: sample.token, oracle: expected, verifier: actual });
          }),
        ),
      );
    }

    expect({ seed: SEED + index, divergences: divergences.slice(0, 5), total: divergences.length }).toEqual({ seed: SEED + index, divergences: [], total: 0 });
    // Not a vacuous comparison: plenty accepted, and refusals of every kind.
    expect(corpus.length).toBeGreaterThan(MUTATIONS_PER_ALGORITHM);
    expect(accepted.get(`skew ${SKEW_SECONDS}`)).toBeGreaterThan(125);
    expect(accepted.get('skew 0')).toBeGreaterThan(100);
    expect([...codes].sort()).toEqual([...ACCESS_TOKEN_REJECTIONS].sort());
  });
});
