import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

/** Stops a detached child and everything it started (its process group). */
export const stopProcessGroup = async (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') => {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid, signal);
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {}
  }, 10_000);
  await exited;
  clearTimeout(timer);
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
