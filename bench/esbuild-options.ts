/**
 * esbuild options as serverless.yml's custom.esbuild sets them for serverless-esbuild, read from
 * the file so a bundle built here (the SDK-only reference, the test's bundles) is built exactly
 * like the packaged functions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { parse } from 'yaml';
import { ROOT } from './env';

interface ServerlessEsbuild {
  readonly bundle?: boolean;
  readonly minify?: boolean;
  readonly sourcemap?: boolean;
  readonly target?: string;
  readonly platform?: BuildOptions['platform'];
  readonly format?: BuildOptions['format'];
  readonly mainFields?: string[];
  /** serverless-esbuild leaves these out of the bundle (external) and out of the zip. */
  readonly exclude?: string[];
}

/** The build options of every function bundle (no entry points, no output). */
export function serverlessBuildOptions(serverlessYml = join(ROOT, 'serverless.yml')): BuildOptions {
  const document = parse(readFileSync(serverlessYml, 'utf8')) as { custom?: { esbuild?: ServerlessEsbuild } };
  const options = document.custom?.esbuild;
  if (!options) throw new Error(`${serverlessYml} has no custom.esbuild`);
  return {
    bundle: options.bundle ?? true,
    minify: options.minify ?? false,
    sourcemap: options.sourcemap ?? false,
    target: options.target ?? 'node24',
    platform: options.platform ?? 'node',
    format: options.format ?? 'cjs',
    ...(options.mainFields ? { mainFields: options.mainFields } : {}),
    external: options.exclude ?? [],
    logLevel: 'silent',
  };
}
