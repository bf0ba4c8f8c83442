import { readFileSync } from 'node:fs';
import { generatedFiles } from '.';

describe('files generated from the schemas', () => {
  it.each(generatedFiles().map(({ path, source }) => [path, source]))(
    '%s matches its schemas (run `npm run generate` after changing a schema)',
    (path, source) => {
      expect(readFileSync(path, 'utf8')).toBe(source);
    },
  );
});
