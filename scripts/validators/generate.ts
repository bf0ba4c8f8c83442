// `npm run generate`: recompiles the JSON Schemas into standalone validators (run after changing
// a schema; a unit test fails while the generated files are stale), and records new event schema
// versions in the lock of released schemas (refusing to rewrite a released one).
import { existsSync, writeFileSync } from 'node:fs';
import { generatedValidators } from '.';
import {
  currentFingerprints,
  LOCK_FILE,
  releasedFingerprints,
  withNewVersions,
} from './released-schemas';

const lock = withNewVersions(
  existsSync(LOCK_FILE) ? releasedFingerprints() : {},
  currentFingerprints(),
);
writeFileSync(LOCK_FILE, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`wrote ${LOCK_FILE}`);

for (const { path, source } of generatedValidators()) {
  writeFileSync(path, source);
  console.log(`wrote ${path}`);
}
