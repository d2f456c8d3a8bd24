import {
  actionLink,
  describeDuration,
  escapeHtml,
  factorNoticeEmail,
  InvalidAppBaseUrlError,
  passwordChangedEmail,
  passwordResetEmail,
  verificationEmail,
  type EmailMessage,
} from '../../../lib/email/messages';
import { createMemoryMailer, EmailSendError } from '../../../lib/email/mailer';

const TOKEN = 'tok_AbC-123_xyz';
const APP = 'https://app.example.com/auth';

const urlsIn = (text: string) => text.match(/https?:\/\/[^\s<>"]+/g) ?? [];
const anchorsIn = (html: string) => [...html.matchAll(/<a\s[^>]*href="([^"]*)"/g)].map((match) => match[1]!);
const unescape = (value: string) => value.replace(/&amp;/g, '&');

describe('actionLink', () => {
  it('puts the action in the query and the token in the fragment', () => {
    const link = new URL(actionLink(APP, 'verify-email', TOKEN));

    expect(link.origin + link.pathname).toBe(APP);
    expect(link.searchParams.get('action')).toBe('verify-email');
    expect(link.searchParams.has('token')).toBe(false);
    expect(new URLSearchParams(link.hash.slice(1)).get('token')).toBe(TOKEN);
  });

  it('keeps a query the base URL already has and replaces its fragment', () => {
    const link = new URL(actionLink('https://app.example.com/?lang=fr&theme=dark#top', 'reset-password', TOKEN));

    expect(link.searchParams.get('lang')).toBe('fr');
    expect(link.searchParams.get('theme')).toBe('dark');
    expect(link.searchParams.get('action')).toBe('reset-password');
    expect(link.hash).toBe(`#token=${TOKEN}`);
  });

  it('encodes a token with characters that mean something in a URL', () => {
    const token = 'a+b/c=&d#e';
    const link = actionLink(APP, 'verify-email', token);

    expect(new URLSearchParams(new URL(link).hash.slice(1)).get('token')).toBe(token);
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => actionLink('javascript:alert(1)', 'verify-email', TOKEN)).toThrow(InvalidAppBaseUrlError);
    expect(() => actionLink('/relative/path', 'verify-email', TOKEN)).toThrow(InvalidAppBaseUrlError);
    expect(() => actionLink('not a url', 'verify-email', TOKEN)).toThrow(InvalidAppBaseUrlError);
  });
});

describe.each([
  ['verification', verificationEmail, 'verify-email', /confirm/i],
  ['password reset', passwordResetEmail, 'reset-password', /reset/i],
  ['factor notice', (input: Parameters<typeof verificationEmail>[0]) => factorNoticeEmail({ ...input, change: 'passkey_added', at: Date.UTC(2026, 0, 1, 12, 30) }), 'report-factor', /passkey was added/i],
] as const)('%s email', (_, build, action, subject) => {
  const link = actionLink(APP, action, TOKEN);
  const message: EmailMessage = build({ to: 'ada@example.com', link, expiresInSeconds: 3600, serviceName: 'Acme' });

  it('is addressed to the account and names it and the service', () => {
    expect(message.to).toBe('ada@example.com');
    expect(message.subject).toMatch(subject);
    expect(message.subject).toContain('Acme');
    expect(message.text).toContain('ada@example.com');
    expect(message.html).toContain('ada@example.com');
  });

  it('has exactly one link in each part, the action link with the token in its fragment', () => {
    expect(urlsIn(message.text)).toEqual([link]);
    expect(anchorsIn(message.html).map(unescape)).toEqual([link]);
    expect(urlsIn(message.html).map(unescape)).toEqual([link]);
    expect(new URL(link).hash).toBe(`#token=${TOKEN}`);
  });

  it('opens its link in a new tab: a web inbox shows the message in a frame, where the app page refuses to load', () => {
    expect([...message.html.matchAll(/<a\s[^>]*>/g)].map((match) => match[0])).toEqual([expect.stringMatching(/ target="_blank" rel="noopener">$/)]);
  });

  it('says when the link expires', () => {
    expect(message.text).toContain('1 hour');
    expect(message.html).toContain('1 hour');
  });

  it('escapes everything it puts into HTML', () => {
    const hostile = build({
      to: '"<img src=x onerror=alert(1)>"@example.com',
      link: 'https://app.example.com/?a=1&b="><script>x</script>#token=t',
      expiresInSeconds: 60,
      serviceName: '<b>Acme</b> & Co',
    });

    expect(hostile.html).not.toMatch(/<img|<script|<b>/);
    expect(hostile.html).toContain('&lt;b&gt;Acme&lt;/b&gt; &amp; Co');
    expect(hostile.html).toContain('&quot;&lt;img src=x onerror=alert(1)&gt;&quot;@example.com');
    expect(anchorsIn(hostile.html)).toHaveLength(1);
  });
});

describe('factor notice', () => {
  const link = actionLink(APP, 'report-factor', TOKEN);
  const notice = (change: Parameters<typeof factorNoticeEmail>[0]['change']) => factorNoticeEmail({ to: 'ada@example.com', link, change, at: Date.UTC(2026, 0, 1, 12, 30), expiresInSeconds: 604_800, serviceName: 'Acme' });

  it('says what changed and when, what the link does, and that it signs the account out everywhere', () => {
    const added = notice('passkey_added');
    expect(added.text).toContain('On 2026-01-01 12:30 UTC, a passkey was added for the Acme account ada@example.com.');
    expect(added.text).toContain('The link removes that passkey and signs the account out on every device. It works once and expires in 7 days.');
    expect(notice('totp_disabled').text).toContain('The link cannot turn it back on, but signs the account out on every device.');
  });

  it('is the one link of every kind of notice', () => {
    for (const change of ['totp_enabled', 'totp_disabled', 'recovery_codes_replaced', 'passkey_added', 'passkey_removed'] as const) {
      expect({ change, links: urlsIn(notice(change).text) }).toEqual({ change, links: [link] });
    }
  });
});

describe('password changed notice', () => {
  const at = Date.UTC(2026, 0, 2, 13, 45, 30);
  const message = passwordChangedEmail({ to: 'ada@example.com', at, serviceName: 'Acme' });

  it('names the account and the time, and tells what to do if it was not you', () => {
    expect(message.to).toBe('ada@example.com');
    expect(message.subject).toBe('Your Acme password was changed');
    expect(message.text).toContain('ada@example.com');
    expect(message.text).toContain('2026-01-02 13:45 UTC');
    expect(message.html).toContain('2026-01-02 13:45 UTC');
    expect(message.text).toMatch(/Forgot password/);
  });

  it('holds no link at all, so no token', () => {
    expect(urlsIn(message.text)).toEqual([]);
    expect(urlsIn(message.html)).toEqual([]);
    expect(anchorsIn(message.html)).toEqual([]);
    expect(`${message.text}${message.html}`).not.toMatch(/token/i);
  });

  it('keeps a service name on one line in the subject', () => {
    expect(passwordChangedEmail({ to: 'a@example.com', at, serviceName: 'Acme\r\nBcc: x@evil.test' }).subject).toBe(
      'Your Acme Bcc: x@evil.test password was changed',
    );
  });
});

describe('describeDuration', () => {
  it.each([
    [86_400, '1 day'],
    [172_800, '2 days'],
    [3600, '1 hour'],
    [7200, '2 hours'],
    [5400, '90 minutes'],
    [60, '1 minute'],
    [61, '61 seconds'],
  ])('%i s is "%s"', (seconds, words) => {
    expect(describeDuration(seconds)).toBe(words);
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML metacharacters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('memory mailer', () => {
  const message = passwordChangedEmail({ to: 'ada@example.com', at: 0, serviceName: 'Acme' });

  it('records what it sends', async () => {
    const mailer = createMemoryMailer();
    await mailer.send(message);

    expect(mailer.sent).toEqual([message]);
    expect(mailer.lastTo('ada@example.com')).toBe(message);
    expect(mailer.lastTo('bob@example.com')).toBeUndefined();
  });

  it('fails with EmailSendError keeping the cause (by name) when told to, and records nothing', async () => {
    const mailer = createMemoryMailer();
    const cause = Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' });
    mailer.failWith(cause);

    const sending = mailer.send(message);
    await expect(sending).rejects.toThrow(EmailSendError);
    await expect(sending).rejects.toMatchObject({ name: 'EmailSendError', cause: expect.objectContaining({ name: 'TooManyRequestsException' }) });
    expect(mailer.sent).toEqual([]);
  });
});

describe('EmailSendError', () => {
  it('keeps the provider error by name, code and status only: its message may quote the address', async () => {
    const { EmailSendError } = await import('../../../lib/email/mailer');
    const provider = Object.assign(new Error('Email address is not verified. The following identities failed the check in region US-EAST-1: victim@example.com'), {
      name: 'MessageRejected',
      $metadata: { httpStatusCode: 400 },
    });
    const error = new EmailSendError('SES SendEmail failed: MessageRejected', { cause: provider });
    expect((error.cause as Error).name).toBe('MessageRejected');
    expect((error.cause as Error).message).toBe('MessageRejected (HTTP 400)');
    expect(JSON.stringify({ message: error.message, cause: (error.cause as Error).message, stack: (error.cause as Error).stack })).not.toContain('victim@example.com');
  });
});
