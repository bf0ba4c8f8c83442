import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** One Node major everywhere: the tests' Node, the one npm installs, Lambda's runtime. */
const ROOT = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const needed = Number(/\d+/.exec(pkg.engines.node)?.[0]);
const majorOf = (version: string) => Number(/\d+/.exec(version)?.[0]);
const runtimeOf = (file: string) => {
  const yaml = parse(readFileSync(join(ROOT, file), 'utf8'));
  return (yaml.provider?.runtime ?? yaml.runtime) as string;
};

describe('the Node version', () => {
  it('is the one npm installs, on every platform the project ships a binary for', () => {
    const binaries = Object.entries(pkg.optionalDependencies as Record<string, string>).filter(
      ([name]) => name.startsWith('node-'),
    );
    expect(binaries.length).toBeGreaterThan(0);
    for (const [name, version] of binaries)
      expect([name, majorOf(version)]).toEqual([name, needed]);
    expect(new Set(binaries.map(([, version]) => version)).size).toBe(1);
    // npm test runs on that Node (jest's workers too: they start from process.execPath).
    expect(majorOf(process.version)).toBe(needed);
  });

  it("is Lambda's runtime, deployed and local", () => {
    expect(runtimeOf('shared/serverless/provider.yml')).toBe(`nodejs${needed}.x`);
    expect(runtimeOf('serverless.yml')).toBe(`nodejs${needed}.x`);
  });

  it('is required at once, in one line, by anything started on an older Node', () => {
    const older = spawnSync(
      process.execPath,
      [
        '-e',
        `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.1.0' } });
         Object.defineProperty(process, 'version', { value: 'v20.1.0' });
         require('./scripts/require-node.cjs');
         console.log('went on');`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(older.status).toBe(1);
    expect(older.stdout).toBe('');
    expect(older.stderr).toMatch(
      new RegExp(`^This project needs Node ${needed} or newer, not v20\\.1\\.0 .*\\n$`),
    );
    expect(older.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('satisfies the AWS SDK: no NodeVersionSupportWarning', () => {
    const { stderr } = sdkClientCreatedBy(process.execPath);
    expect(stderr).toBe('');
  });
});

/** Creates an SDK client on the given Node, whose notice (if any) is the only output. */
const sdkClientCreatedBy = (node: string) =>
  spawnSync(
    node,
    [
      '-e',
      `const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
       new DynamoDBClient({ region: 'us-east-1' }).destroy();`,
    ],
    { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH } },
  );
