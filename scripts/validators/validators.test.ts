import { readFileSync } from 'node:fs';
import { generatedValidators } from '.';

describe('precompiled validators', () => {
  it.each(generatedValidators().map(({ path, source }) => [path, source]))(
    '%s matches its schemas (run `npm run generate` after changing a schema)',
    (path, source) => {
      expect(readFileSync(path, 'utf8')).toBe(source);
    },
  );
});
