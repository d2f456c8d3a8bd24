import { join } from 'node:path';

/**
 * The folder of the local stack's caches: the compiled DynamoDB Local launcher and Node's on-disk
 * compile cache. node_modules/.cache/jwt-auth, or JWT_AUTH_LOCAL_CACHE (the benchmark's fresh
 * starts point it at an empty folder). Deleting it costs one slower start, nothing else.
 */
export const localCacheDir = (): string => process.env.JWT_AUTH_LOCAL_CACHE || join(__dirname, '..', '..', 'node_modules', '.cache', 'jwt-auth');

/**
 * Node's compile cache (Node 22+) for a Node process of the local stack: a second start compiles
 * less of serverless, the emulator and the SDK (about 10 % of serverless-offline's start-up CPU
 * time here).
 */
export const compileCacheDir = (): string => process.env.NODE_COMPILE_CACHE || join(localCacheDir(), 'node-compile-cache');

/** The environment variable that turns the compile cache on in a child process. */
export const compileCacheEnv = (): { NODE_COMPILE_CACHE: string } => ({ NODE_COMPILE_CACHE: compileCacheDir() });
