/**
 * HTML pages, with the headers every page of this service carries: a strict Content-Security-Policy
 * whose script and style nonce is new for each response, no framing (clickjacking), no caching
 * (a page may show a CSRF token or an email), no MIME sniffing and no Referer.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';
import { OAuthError } from '../core/oauth-errors';
import type { HttpResponse } from './http';

export interface PageOptions {
  readonly cookies?: string[];
  /** Also allow scripts and styles from this site's own URLs (a page that loads `app.js`). Default: nonce only. */
  readonly sameOriginScripts?: boolean;
  /**
   * Where the page's forms may post, as CSP sources. Default `'self'`. Chromium also applies it to
   * the redirects that follow a POST, so a consent form that ends at a client lists its origin.
   */
  readonly formAction?: readonly string[];
}

/** A fresh nonce: 128 random bits, base64 (what CSP's nonce-source allows). */
export const newNonce = (): string => randomBytes(16).toString('base64');

export function contentSecurityPolicy(nonce: string, { sameOriginScripts = false, formAction = ["'self'"] }: PageOptions = {}): string {
  const self = sameOriginScripts ? " 'self'" : '';
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'${self}`,
    `style-src 'nonce-${nonce}'${self}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    `form-action ${formAction.length ? formAction.join(' ') : "'none'"}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The headers of every page, for a given nonce. */
export function pageHeaders(nonce: string, options: PageOptions = {}): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(nonce, options),
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

/** An HTML page: `render` gets this response's nonce for its `<script nonce>` and `<style nonce>`. */
export function htmlPage(status: number, render: (nonce: string) => string, options: PageOptions = {}): HttpResponse {
  const nonce = newNonce();
  return {
    status,
    headers: pageHeaders(nonce, options),
    text: { contentType: 'text/html; charset=utf-8', content: render(nonce) },
    ...(options.cookies?.length ? { cookies: options.cookies } : {}),
  };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for an HTML element or a quoted attribute. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);

/** A minimal page that tells a person what went wrong, in words (the error's own message). */
export function errorPage(status: number, title: string, message: string): HttpResponse {
  return htmlPage(status, (nonce) =>
    [
      '<!doctype html>',
      '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
      `<title>${escapeHtml(title)}</title>`,
      `<style nonce="${nonce}">body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}</style>`,
      `</head><body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></main></body></html>`,
    ].join('\n'),
  );
}

/** Error mapper for routes that answer browsers with pages (the hosted sign-in pages). */
export function htmlErrors(error: unknown, logger: Logger): HttpResponse {
  if (error instanceof AppError || error instanceof OAuthError) {
    if (error.status >= 500) logger.error('request failed', { code: error.code, error });
    const message = error instanceof OAuthError ? error.description : error.message;
    const response = errorPage(error.status, error.status >= 500 ? 'Please try again shortly' : 'This request could not be completed', message);
    return { ...response, headers: { ...error.headers, ...response.headers } };
  }
  logger.error('unexpected error', { error });
  return errorPage(500, 'Something went wrong', 'Something went wrong on our side. Please try again.');
}
