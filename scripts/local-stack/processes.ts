import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

/**
 * Stops a detached child and everything it started (its process group); resolves false when it
 * had already died or had to be killed after 10 s, i.e. when it did not stop cleanly.
 */
export const stopProcessGroup = async (
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<boolean> => {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    return false;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid, signal);
  } catch {
    return false;
  }
  let clean = true;
  const timer = setTimeout(() => {
    clean = false;
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {}
  }, 10_000);
  await exited;
  clearTimeout(timer);
  return clean;
};

/** Runs a command to completion with no stdin (as in CI), resolving its output or rejecting with it. */
export const runCommand = (command: string, args: string[], options: SpawnOptions = {}) =>
  new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve({ stdout, stderr })
        : reject(
            new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stdout}\n${stderr}`),
          ),
    );
  });
