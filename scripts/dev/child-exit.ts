import type { ChildProcess } from 'node:child_process';

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Settles when the child exits (already exited: at once). */
export function exitOf(child: ChildProcess): Promise<ChildExit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** "code 1" or "signal SIGKILL", for messages. */
export const describeExit = ({ code, signal }: ChildExit): string => (signal ? `signal ${signal}` : `code ${code}`);
