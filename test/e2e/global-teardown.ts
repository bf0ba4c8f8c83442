import type { ChildProcess } from 'node:child_process';
import { stopProcessGroup } from '../support/processes';

export default async () => {
  const stack = (globalThis as Record<string, unknown>).e2eStack as ChildProcess | undefined;
  if (stack) await stopProcessGroup(stack, 'SIGINT');
};
