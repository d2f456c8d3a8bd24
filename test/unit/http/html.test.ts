import { InvalidRequestError, ServiceUnavailableError } from '../../../lib/core/errors';
import { OAuthError } from '../../../lib/core/oauth-errors';
import { escapeHtml, htmlErrors, htmlPage } from '../../../lib/http/html';
import { toApiGatewayResult } from '../../../lib/http/http';
import { capturingLogger } from '../../support/fixtures';

const nonceOf = (csp: string | undefined) => /script-src 'nonce-([^']+)'/.exec(csp ?? '')?.[1];

describe('HTML pages', () => {
  it('carry a strict CSP, no framing, no caching, nosniff and no Referer', () => {
    const result = toApiGatewayResult(htmlPage(200, (nonce) => `<script nonce="${nonce}">1</script>`), {});
    expect(result.headers).toMatchObject({
      'Content-Type': 'text/html; charset=utf-8',
      'X-Frame-Options': 'DENY',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
    const csp = String(result.headers?.['Content-Security-Policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(result.body).toBe(`<script nonce="${nonceOf(csp)}">1</script>`);
  });

  it('get a new nonce for every response', () => {
    const first = nonceOf(htmlPage(200, () => '').headers?.['Content-Security-Policy']);
    const second = nonceOf(htmlPage(200, () => '').headers?.['Content-Security-Policy']);
    expect(first).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(first).not.toBe(second);
  });

  it('allow same-origin scripts and a form target only when asked, and set cookies', () => {
    const page = htmlPage(200, () => '', { sameOriginScripts: true, formAction: [], cookies: ['a=1'] });
    expect(page.headers?.['Content-Security-Policy']).toMatch(/script-src 'nonce-[^']+' 'self'/);
    expect(page.headers?.['Content-Security-Policy']).toContain("form-action 'none'");
    expect(page.cookies).toEqual(['a=1']);
  });

  it('escape text for elements and quoted attributes', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;');
  });
});

describe('the HTML error mapper', () => {
  it('shows a service error in words, escaped, with its status and headers', () => {
    const page = htmlErrors(new InvalidRequestError('The <email> is missing.'), capturingLogger().logger);
    expect(page.status).toBe(400);
    expect(page.text?.content).toContain('The &lt;email&gt; is missing.');
    expect(page.headers?.['X-Frame-Options']).toBe('DENY');
    expect(htmlErrors(new ServiceUnavailableError(), capturingLogger().logger).headers?.['Retry-After']).toBe('2');
  });

  it('shows an OAuth error by its description', () => {
    const page = htmlErrors(new OAuthError('invalid_request', 'The redirect_uri is not registered for this client.'), capturingLogger().logger);
    expect(page.status).toBe(400);
    expect(page.text?.content).toContain('The redirect_uri is not registered for this client.');
  });

  it('answers anything unexpected with a generic 500 page that holds no detail, and logs it', () => {
    const log = capturingLogger();
    const page = htmlErrors(new TypeError('secret detail'), log.logger);
    expect(page.status).toBe(500);
    expect(page.text?.content).not.toContain('secret detail');
    expect(log.lines.find((line) => line.message === 'unexpected error')).toMatchObject({ error: { name: 'TypeError' } });
  });
});
