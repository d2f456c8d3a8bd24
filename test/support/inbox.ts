/** Reading what the local SES emulator (aws-ses-v2-local) kept, through its GET /store. */

export interface StoredEmail {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { readonly to: string[]; readonly cc: string[]; readonly bcc: string[] };
  readonly subject: string;
  readonly body: { readonly text?: string; readonly html?: string };
  /** Epoch seconds (the emulator's precision). */
  readonly at: number;
}

export interface EmailQuery {
  readonly to: string;
  readonly subjectIncludes?: string;
  /** Epoch ms: only emails the emulator received in this second or later. */
  readonly after?: number;
}

/** Every email the emulator has kept, oldest first. */
export async function readInbox(endpoint: string): Promise<StoredEmail[]> {
  const response = await fetch(`${endpoint}/store`);
  if (!response.ok) throw new Error(`GET ${endpoint}/store answered ${response.status}`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails;
}

const matches = (email: StoredEmail, { to, subjectIncludes, after }: EmailQuery): boolean =>
  email.destination.to.some((address) => address.toLowerCase() === to.toLowerCase()) &&
  (subjectIncludes === undefined || email.subject.includes(subjectIncludes)) &&
  (after === undefined || email.at >= Math.floor(after / 1000));

/** The newest email matching the query, polling /store until it arrives or `timeoutMs` passes. */
export async function waitForEmail(endpoint: string, query: EmailQuery, timeoutMs = 10_000): Promise<StoredEmail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await readInbox(endpoint)).filter((email) => matches(email, query)).at(-1);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no email to ${query.to}${query.subjectIncludes ? ` about "${query.subjectIncludes}"` : ''} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const URL_PATTERN = /https?:\/\/[^\s<>"]+/g;

/** The single URL in the email's text part; throws when there is none or more than one. */
export function linkIn(email: StoredEmail): string {
  const links = email.body.text?.match(URL_PATTERN) ?? [];
  if (links.length !== 1) throw new Error(`expected exactly one link in the text part of "${email.subject}", found ${links.length}`);
  return links[0]!;
}

/** The one-time token a link carries in its fragment (`#token=…`). */
export function tokenOfLink(url: string): string {
  const token = new URLSearchParams(new URL(url).hash.slice(1)).get('token');
  if (!token) throw new Error(`no #token= in ${url}`);
  return token;
}
