import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What each handler saw: the variables read as its module loaded and after an await. */
const HANDLER = `
const atLoad = { mine: process.env.MINE, theirs: process.env.THEIRS };
exports.handler = async (event, context) => {
  await new Promise((resolve) => setTimeout(resolve, event.wait));
  return {
    atLoad,
    mine: process.env.MINE,
    theirs: process.env.THEIRS ?? null,
    home: process.env.HOME ?? null,
    requestId: globalThis.awslambda.InvokeStore.getRequestId(),
    expectedRequestId: context.awsRequestId,
  };
};`;

/**
 * Two functions run at once by serverless-offline's own in-process runner, patched as the local
 * stack patches it; in a child process, since the patch replaces process.env.
 */
const runTwoFunctionsAtOnce = (folder: string) => {
  const script = `
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { InvokeStore } = require('@aws/lambda-invoke-store');
const { runInvocationsApart } = require(${JSON.stringify(join(__dirname, 'offline-in-process.cjs'))});
(async () => {
  const runnerFile = join(
    require.resolve('serverless-offline').replace(/index\\.js$/, ''),
    'lambda/handler-runner/in-process-runner/InProcessRunner.js',
  );
  const { default: InProcessRunner } = await import(pathToFileURL(runnerFile).href);
  runInvocationsApart(InProcessRunner, await InvokeStore.getInstanceAsync(true));
  const runner = (name, env) => new InProcessRunner(
    { codeDir: ${JSON.stringify(folder)}, handler: name + '.handler', servicePath: ${JSON.stringify(folder)}, timeout: 5000 },
    env,
  );
  const a = runner('a', { MINE: 'a', SHARED: 'x' });
  const b = runner('b', { MINE: 'b', THEIRS: 'b only' });
  const answers = await Promise.all([
    a.run({ wait: 60 }, { awsRequestId: 'a-1' }),
    b.run({ wait: 10 }, { awsRequestId: 'b-1' }),
    a.run({ wait: 5 }, { awsRequestId: 'a-2' }),
  ]);
  console.log(JSON.stringify({ answers, outside: process.env.MINE ?? null }));
})();`;
  const output = execFileSync(process.execPath, ['-e', script], {
    cwd: __dirname,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: '/home/someone' },
  });
  return JSON.parse(output.trim().split('\n').at(-1) as string);
};

describe('handlers run in one process, each invocation apart', () => {
  const folder = mkdtempSync(join(tmpdir(), 'in-process-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("gives each invocation its own function's environment and request id", () => {
    writeFileSync(join(folder, 'a.js'), HANDLER);
    writeFileSync(join(folder, 'b.js'), HANDLER);
    const { answers, outside } = runTwoFunctionsAtOnce(folder);
    const [a1, b1, a2] = answers;
    expect(a1).toMatchObject({ atLoad: { mine: 'a' }, mine: 'a', theirs: null, requestId: 'a-1' });
    expect(a2).toMatchObject({ mine: 'a', theirs: null, requestId: 'a-2' });
    expect(b1).toMatchObject({
      atLoad: { mine: 'b', theirs: 'b only' },
      mine: 'b',
      theirs: 'b only',
      requestId: 'b-1',
    });
    // As in Lambda, a function sees only its own variables, not the developer's shell.
    expect(a1.home).toBeNull();
    expect(outside).toBeNull();
  });
});

/** A handler that sends a request before and after `event.wait` ms, and says how each went. */
const REQUESTING_HANDLER = `
const http = require('node:http');
const ask = (port) => new Promise((resolve) => {
  try {
    http.get({ port, path: '/' }, (response) => { response.resume(); resolve('answered'); })
      .on('error', (error) => resolve('failed: ' + error.message));
  } catch (error) {
    resolve('refused: ' + error.message);
  }
});
exports.handler = async (event) => {
  const before = await ask(event.port);
  await new Promise((resolve) => setTimeout(resolve, event.wait));
  const after = await ask(event.port);
  event.report(before, after);
  return 'done';
};`;

describe('an invocation past its timeout', () => {
  const folder = mkdtempSync(join(tmpdir(), 'timeout-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('is cut off: nothing it starts afterwards reaches anything, as in Lambda', () => {
    writeFileSync(join(folder, 'slow.js'), REQUESTING_HANDLER);
    const script = `
const http = require('node:http');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { InvokeStore } = require('@aws/lambda-invoke-store');
const { runInvocationsApart } = require(${JSON.stringify(join(__dirname, 'offline-in-process.cjs'))});
(async () => {
  const server = http.createServer((_, response) => response.end('ok')).listen(0);
  const port = server.address().port;
  const runnerFile = join(
    require.resolve('serverless-offline').replace(/index\\.js$/, ''),
    'lambda/handler-runner/in-process-runner/InProcessRunner.js',
  );
  const { default: InProcessRunner } = await import(pathToFileURL(runnerFile).href);
  runInvocationsApart(InProcessRunner, await InvokeStore.getInstanceAsync(true), () => 300);
  const runner = new InProcessRunner(
    { codeDir: ${JSON.stringify(folder)}, handler: 'slow.handler', servicePath: ${JSON.stringify(folder)}, timeout: 300 },
    {},
  );
  const run = (wait) => new Promise((resolve) => {
    runner.run({ port, wait, report: (before, after) => resolve({ before, after }) }, { awsRequestId: 'r' + wait, functionName: 'slow' });
  });
  const [quick, slow] = await Promise.all([run(50), run(600)]);
  server.close();
  console.log(JSON.stringify({ quick, slow }));
})();`;
    const output = execFileSync(process.execPath, ['-e', script], {
      cwd: __dirname,
      encoding: 'utf8',
    });
    const { quick, slow } = JSON.parse(output.trim().split('\n').at(-1) as string);
    expect(quick).toEqual({ before: 'answered', after: 'answered' });
    expect(slow.before).toBe('answered');
    expect(slow.after).toMatch(/^refused: the invocation is past its timeout/);
  });
});
