// `npm run generate`: recompiles the JSON Schemas into standalone validators (run after changing
// a schema; a unit test fails while the generated files are stale), and records new event schema
// versions in the lock of released schemas (refusing to rewrite a released one).
import '../require-node.cjs';
import { existsSync, writeFileSync } from 'node:fs';
import { generatedFiles } from '.';
import { LOCKS, releasedFingerprints, withNewVersions } from './released-schemas';

for (const { file, current, typesMayBeAdded } of LOCKS) {
  if (!existsSync(file) && process.env.RELEASE_SCHEMAS_INIT !== '1') {
    throw new Error(
      `${file} is missing: restore it from git (RELEASE_SCHEMAS_INIT=1 starts a new one).`,
    );
  }
  const lock = withNewVersions(existsSync(file) ? releasedFingerprints(file) : {}, current(), {
    typesMayBeAdded,
  });
  writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

for (const { path, source } of generatedFiles()) {
  writeFileSync(path, source);
  console.log(`wrote ${path}`);
}
