import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10;

/** CPU time (user + system, ms) of every process in the group `pgid`, from /proc (Linux). */
export const groupCpuMs = (pgid: number) => {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: state is 3rd, pgrp 5th, utime 14th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended while the list was read.
    }
  }
  return ticks * TICK_MS;
};

/** This process's own CPU time, ms. */
export const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** The java process of DynamoDB Local's group (its launcher may be a shell). */
export const javaPidOf = (pgid: number) =>
  Number(
    execFileSync('pgrep', ['-g', String(pgid), 'java'])
      .toString()
      .trim()
      .split('\n')[0],
  );

/** CPU ms of `pid` alone. */
export const processCpuMs = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
};
