// `npm run generate`: recompiles the JSON Schemas into standalone validators (run after changing
// a schema; a unit test fails while the generated files are stale), and records new event schema
// versions in the lock of released schemas (refusing to rewrite a released one).
import '../require-node.cjs';
import { existsSync, writeFileSync } from 'node:fs';
import { generatedFiles } from '.';
import {
  currentFingerprints,
  LOCK_FILE,
  releasedFingerprints,
  withNewVersions,
} from './released-schemas';

if (!existsSync(LOCK_FILE) && process.env.RELEASE_SCHEMAS_INIT !== '1') {
  throw new Error(
    `${LOCK_FILE} is missing: restore it from git (RELEASE_SCHEMAS_INIT=1 starts a new one).`,
  );
}
const lock = withNewVersions(
  existsSync(LOCK_FILE) ? releasedFingerprints() : {},
  currentFingerprints(),
);
writeFileSync(LOCK_FILE, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`wrote ${LOCK_FILE}`);

for (const { path, source } of generatedFiles()) {
  writeFileSync(path, source);
  console.log(`wrote ${path}`);
}
