import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** An operator's CLI (scripts/<script>) as a child process against the run's DynamoDB Local (stage dev); its exit code and output. */
export async function runCliScript(script: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const childEnv = { ...process.env, DYNAMODB_LOCAL_PORT: new URL(process.env.TEST_DYNAMODB_ENDPOINT!).port, ...env };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', `scripts/${script}`, ...args], { cwd: ROOT, env: childEnv, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** `npm run admin -- ...`. */
export const runAdminCli = (...args: string[]): Promise<CliResult> => runCliScript('admin.ts', args);
