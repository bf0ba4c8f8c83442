import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A process as `ps` knows it: its start time tells it from a later one given the same pid. */
type ProcessId = { pid: number; started: string };
type Lock = { launcher?: ProcessId; dynamodb?: ProcessId; offline?: ProcessId };

const startedAt = (pid: number) => {
  try {
    return execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
};

const identify = (pid: number): ProcessId => ({ pid, started: startedAt(pid) ?? '' });
const isRunning = (id: ProcessId | undefined) =>
  id !== undefined && id.started !== '' && startedAt(id.pid) === id.started;

const killGroup = (id: ProcessId | undefined) => {
  if (!isRunning(id)) return;
  try {
    process.kill(-(id as ProcessId).pid, 'SIGKILL');
  } catch {}
};

/**
 * The lock of a data folder: while a stack runs on it, `.in-use.json` there names the launcher
 * and the processes it started. Found at start with its launcher gone, it means the last run
 * did not stop cleanly (kill -9, OOM kill, power cut), and it names what that run left behind.
 */
export const folderLock = (dbPath: string) => {
  const file = join(dbPath, '.in-use.json');
  const read = (): Lock | undefined =>
    existsSync(file) ? JSON.parse(readFileSync(file, 'utf8') || '{}') : undefined;
  let lock: Lock = {};
  const save = () => writeFileSync(file, JSON.stringify(lock));

  return {
    /** What a launcher that holds or held this folder started, for whoever has to kill it. */
    read,
    /**
     * Takes the folder. Refuses if another launcher holds it; after a crash, stops what the
     * crashed run left behind and says so (the caller must then not trust derived data).
     */
    acquire: async (): Promise<{ crashed: boolean }> => {
      const previous = read();
      if (previous && isRunning(previous.launcher)) {
        throw new Error(`${dbPath} is in use by another stack (pid ${previous.launcher?.pid}).`);
      }
      killGroup(previous?.offline);
      killGroup(previous?.dynamodb);
      for (let wait = 0; wait < 50; wait++) {
        if (!isRunning(previous?.offline) && !isRunning(previous?.dynamodb)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      lock = { launcher: identify(process.pid) };
      save();
      return { crashed: previous !== undefined };
    },
    record: (name: 'dynamodb' | 'offline', pid: number | undefined) => {
      if (pid === undefined) return;
      lock = { ...lock, [name]: identify(pid) };
      save();
    },
    /** After a clean stop only: the next start may trust what is on disk. */
    release: () => {
      if (read()?.launcher?.pid === process.pid) rmSync(file, { force: true });
    },
  };
};

export type FolderLock = ReturnType<typeof folderLock>;
