import { domainToASCII, domainToUnicode } from 'node:url';

/**
 * The canonical form of an email address: the one rule that decides "one mailbox, one account".
 * Every place that takes an email (register, login, forgot-password, passkey login options)
 * gets it through this function, so two spellings of one mailbox can never be two accounts.
 *
 * In the contract's words: trimmed, Unicode NFKC, lower-cased, at most 254 characters, one "@"
 * with text on both sides, at most 64 characters before the "@", no control character or white
 * space anywhere; the domain loses a trailing dot and is written in its ASCII (punycode) form; a
 * domain without a dot is refused outside local development.
 *
 * Stricter than the contract, on purpose: RFC 5322 specials are refused (with them `x<victim@…>`
 * or `a,b@…` would be an account of its own whose mail a provider may deliver elsewhere), and the
 * domain must be a host name (letters, digits and hyphens in labels of at most 63 characters, a
 * last label that is not a number), which is what mail is delivered to. `domainToASCII` is a URL
 * host parser: given `%41`, `/` or a numeric last label it would decode, cut or rewrite the
 * domain into another one, so only letters, digits, hyphens, dots and non-ASCII reach it.
 */

export interface EmailPolicy {
  /** `a@localhost`: only in local development. */
  readonly allowDotlessDomain: boolean;
}

export type CanonicalEmail = { readonly ok: true; readonly email: string } | { readonly ok: false; readonly problem: string };

const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
const MAX_LABEL_LENGTH = 63;
/** Control, format and separator characters, and any white space: none belongs in an email. */
const FORBIDDEN_IN_EMAIL = /[\p{Cc}\p{Cf}\p{Z}\s]/u;
const SPECIALS_IN_EMAIL = /[<>()[\]\\,;:"]/;
/** What a domain may hold before its conversion: ASCII letters, digits, hyphens and dots, and any non-ASCII character (IDNA's to judge). */
const DOMAIN_INPUT = /^[a-z0-9.\-\u0080-\u{10FFFF}]+$/u;
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const NUMERIC_LABEL = /^[0-9]+$/;

const PUNYCODE_PREFIX = 'xn--';

/**
 * Whether an `xn--` label is punycode that decodes and encodes back to itself. Node 20's
 * `domainToASCII` refused the others; Node 24's passes them through unchanged (`xn--zz`), and a
 * label that is not the encoding of any name is no domain mail is delivered to.
 */
function isPunycode(label: string): boolean {
  const decoded = domainToUnicode(label);
  return decoded !== '' && decoded !== label && domainToASCII(decoded) === label;
}

const codePoints = (value: string) => [...value].length;
const refused = (problem: string): CanonicalEmail => ({ ok: false, problem });

/** The canonical form of `raw`, or the first problem with it (a sentence that never echoes the value). */
export function canonicalEmail(raw: string, policy: EmailPolicy): CanonicalEmail {
  const email = raw.trim().normalize('NFKC').toLowerCase();
  if (!/^[^@]+@[^@]+$/u.test(email)) return refused('email must have one "@" with text on both sides');
  if (FORBIDDEN_IN_EMAIL.test(email)) return refused('email must not contain control characters or white space');
  if (SPECIALS_IN_EMAIL.test(email)) return refused('email must be a plain address, without <>()[],;:" or backslashes');
  const at = email.indexOf('@');
  const localPart = email.slice(0, at);
  const domain = asciiDomain(email.slice(at + 1), policy);
  if (!domain.ok) return domain;
  const canonical = `${localPart}@${domain.email}`;
  if (codePoints(canonical) > MAX_EMAIL_LENGTH) return refused(`email must be at most ${MAX_EMAIL_LENGTH} characters`);
  if (codePoints(localPart) > MAX_LOCAL_PART_LENGTH) return refused(`email must have at most ${MAX_LOCAL_PART_LENGTH} characters before the "@"`);
  return { ok: true, email: canonical };
}

/** The domain without its trailing dot, in ASCII; refused when it is not a host name mail could go to. */
function asciiDomain(given: string, policy: EmailPolicy): CanonicalEmail {
  const domain = given.endsWith('.') ? given.slice(0, -1) : given;
  const invalid = refused('email must have a valid domain after the "@"');
  if (!DOMAIN_INPUT.test(domain)) return invalid;
  const ascii = domainToASCII(domain);
  if (ascii === '') return invalid;
  const labels = ascii.split('.');
  if (!labels.every((label) => label.length <= MAX_LABEL_LENGTH && LABEL.test(label) && (!label.startsWith(PUNYCODE_PREFIX) || isPunycode(label))) || NUMERIC_LABEL.test(labels.at(-1)!)) return invalid;
  if (labels.length === 1 && !policy.allowDotlessDomain) return refused('email must have a domain with a dot after the "@"');
  return { ok: true, email: ascii };
}

/**
 * The beginning of an email as canonicalEmail would write it (trimmed, NFKC, lower-cased), for a
 * search by prefix. A non-ASCII domain is stored in punycode, so a prefix that reaches into such a
 * domain matches only in its punycode form.
 */
export const canonicalEmailPrefix = (raw: string): string => raw.trim().normalize('NFKC').toLowerCase();
