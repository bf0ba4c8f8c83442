// `npm run generate`: recompiles the JSON Schemas into standalone validators (run after changing
// a schema; a unit test fails while the generated files are stale).
import { writeFileSync } from 'node:fs';
import { generatedValidators } from '.';

for (const { path, source } of generatedValidators()) {
  writeFileSync(path, source);
  console.log(`wrote ${path}`);
}
