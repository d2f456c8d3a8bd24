/**
 * A short name for a session's device, read from its User-Agent: "Chrome on Linux", "Safari on
 * iPhone", "curl". For display only: a User-Agent is whatever the client chose to send.
 */

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
const BROWSERS: readonly [pattern: RegExp, name: string][] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\b(OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'],
  [/\b(Chrome|CriOS|HeadlessChrome|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/^curl\//i, 'curl'],
  [/^(node|undici)\b/i, 'Node.js'],
  [/^python-requests\//i, 'Python requests'],
  [/^okhttp\//i, 'OkHttp'],
];

const SYSTEMS: readonly [pattern: RegExp, name: string][] = [
  [/\bAndroid\b/, 'Android'],
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\b(Macintosh|Mac OS X)\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

const MAX_PRODUCT_LENGTH = 24;

/** "Chrome on Linux", "Firefox", "curl", or the first product name; "Unknown device" without a User-Agent. */
export function deviceName(userAgent: string | null): string {
  const agent = userAgent?.trim() ?? '';
  if (agent === '') return 'Unknown device';
  const browser = BROWSERS.find(([pattern]) => pattern.test(agent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(agent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  const product = agent.split(/[\s/]/, 1)[0]!.slice(0, MAX_PRODUCT_LENGTH);
  return system ? `${product} on ${system}` : product;
}
