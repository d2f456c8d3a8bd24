/**
 * How a setting is read from the environment: the readers every feature's config.ts uses, each
 * failing with a ConfigError that names the variable. They read the `env` object they are given;
 * only lib/core/config.ts reads the process environment itself.
 */
import { ConfigError } from './errors';
import CONTRACT_DEFAULTS from './defaults.json';

export type Env = Record<string, string | undefined>;

/** A variable's value, or its contract default (lib/core/defaults.json, shared with infra/environment.js). */
export function valueOrDefault(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : (CONTRACT_DEFAULTS as Record<string, string | undefined>)[name];
}

export function readString(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

export function readRequired(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is required');
  return value;
}

export function readInteger(env: Env, name: string, min: number, max: number): number {
  const raw = valueOrDefault(env, name);
  if (!raw) throw new ConfigError(name, 'is required');
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function readBoolean(env: Env, name: string): boolean {
  const raw = valueOrDefault(env, name)?.toLowerCase();
  if (!raw) return false;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(name, `must be "true" or "false", got "${raw}"`);
}

export function readUrl(env: Env, name: string, fallback: string | undefined, { httpsOnly }: { httpsOnly: boolean }): string {
  const raw = env[name]?.trim() || fallback;
  if (!raw) throw new ConfigError(name, 'is required');
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  // The page a reset link opens reads a token from its fragment: over http, anyone on the path could too.
  if (httpsOnly && new URL(raw).protocol !== 'https:') throw new ConfigError(name, `must be an https URL outside local development, got "${raw}"`);
  return raw;
}

export function readOptionalUrl(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!URL.canParse(raw)) throw new ConfigError(name, 'must be a URL');
  return raw;
}

export function readOrigins(env: Env, name: string): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  return raw.split(',').map((entry) => {
    const origin = entry.trim();
    // An origin is scheme://host[:port] exactly; "*" or a path would make the allow-list meaningless.
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new ConfigError(name, `holds "${origin}", which is not an origin such as https://app.example.com`);
    }
    return origin;
  });
}

/** A server secret: base64url, at least 256 bits. */
export function readSecretKey(env: Env, name: string): Buffer {
  const raw = readRequired(env, name);
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw new ConfigError(name, 'must be base64url');
  const key = Buffer.from(raw, 'base64url');
  if (key.length < 32) throw new ConfigError(name, 'must hold at least 32 bytes');
  return key;
}

/** PORT of the local server, for the local defaults of URLs (the demo page, WebAuthn's origin). */
export const localPort = (env: Env): string => env.PORT?.trim() || '3000';
