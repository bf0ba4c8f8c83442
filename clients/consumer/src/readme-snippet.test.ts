import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

/** The README's "Use it from TypeScript" lines, as a reader copies them. */
const readmeSnippet = () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Use it from TypeScript'));
  const start = section.indexOf('```ts\n') + '```ts\n'.length;
  return section.slice(start, section.indexOf('\n```', start));
};

describe("the README's client example", () => {
  it('is the file npm test type-checks (readme-snippet.ts), line for line', () => {
    const checked = readFileSync(join(__dirname, 'readme-snippet.ts'), 'utf8')
      .split('\n')
      .filter((line) => line !== 'export {};' && !line.startsWith('// '))
      .join('\n')
      .trimEnd();
    expect(readmeSnippet()).toBe(checked);
  });
});
