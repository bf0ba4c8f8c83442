import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Parser } from '@asyncapi/parser';

const ROOT = join(__dirname, '../..');
const PORTAL = 'services/query-service/src/portal';
const OPENAPI = `${PORTAL}/openapi.generated.json`;
const ASYNCAPI = `${PORTAL}/asyncapi.generated.json`;

/** One run of a linter's command line, on the Node running the tests, from the repository's root. */
const run = (bin: string, args: string[]) =>
  new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/.bin', bin), ...args], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    // Both exit 1 when they find errors: what they found is in the JSON on stdout.
    child.on('close', () =>
      stdout.trim() ? resolve(stdout) : reject(new Error(`${bin} printed nothing: ${stderr}`)),
    );
  });

type SpectralResult = {
  code: string;
  message: string;
  path: string[];
  severity: number;
  source: string;
};
type RedoclyProblem = {
  ruleId: string;
  message: string;
  severity: 'error' | 'warn';
  location: { pointer: string }[];
};

// Spectral's severities: 0 error, 1 warning, 2 information, 3 hint.
const SPECTRAL_WARNING = 1;
// @asyncapi/parser's diagnostics use the same scale.
const PARSER_WARNING = 1;

describe('the published documents, as the linters see them', () => {
  // Both command lines at once: together they take as long as Spectral alone.
  const spectral = run('spectral', [
    'lint',
    '--ruleset',
    '.spectral.yaml',
    '--format',
    'json',
    '--quiet',
    OPENAPI,
    ASYNCAPI,
  ]);
  const redocly = run('redocly', ['lint', '--config', 'redocly.yaml', '--format', 'json', OPENAPI]);
  // Awaited by their tests; a test left out by a filter must not leave a rejection unhandled.
  for (const pending of [spectral, redocly]) pending.catch(() => undefined);

  it('Spectral (spectral:oas, spectral:asyncapi): no error and no warning (.spectral.yaml)', async () => {
    const results = JSON.parse(await spectral) as SpectralResult[];
    expect(
      results
        .filter(({ severity }) => severity <= SPECTRAL_WARNING)
        .map(
          ({ source, path, code, message }) =>
            `${relative(ROOT, source)} ${path.join('.')} ${code}: ${message}`,
        ),
    ).toEqual([]);
  });

  it('Redocly (recommended): no error and no warning (redocly.yaml)', async () => {
    const { problems } = JSON.parse(await redocly) as { problems: RedoclyProblem[] };
    expect(
      problems.map(
        ({ severity, ruleId, location, message }) =>
          `${severity} ${location[0]?.pointer} ${ruleId}: ${message}`,
      ),
    ).toEqual([]);
  });

  it('@asyncapi/parser: the AsyncAPI document parses with no error and no warning', async () => {
    const { document, diagnostics } = await new Parser().parse(
      readFileSync(join(ROOT, ASYNCAPI), 'utf8'),
    );
    expect(
      diagnostics
        .filter(({ severity }) => severity <= PARSER_WARNING)
        .map(({ path, code, message }) => `${path.join('.')} ${code}: ${message}`),
    ).toEqual([]);
    expect(
      document
        ?.operations()
        .all()
        .map((operation) => operation.action()),
    ).toEqual(['send', 'receive']);
  });
});
