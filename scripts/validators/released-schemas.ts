import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type SchemaVersion, storedEventSchema, storedPayloadSchemas } from '@users/shared/schemas';
import stableStringify from 'safe-stable-stringify';
import {
  INTEGRATION_SCHEMA_VERSION,
  integrationEventSchemas,
} from '../../shared/src/integration/schemas';

export const LOCK_FILE = join(__dirname, '../../shared/src/events/released-schemas.lock.json');
export const INTEGRATION_LOCK_FILE = join(
  __dirname,
  '../../shared/src/integration/released-integration-schemas.lock.json',
);

type Fingerprints = Record<string, Record<string, string>>;

const fingerprint = (schema: unknown) =>
  createHash('sha256')
    .update(stableStringify(schema) as string)
    .digest('hex');

/** The whole stored event of a version: its metadata, its set of types, every payload. */
const ENVELOPE = '(envelope)';

/** Each stored payload schema's fingerprint, by version and event type, and each envelope's. */
export const currentFingerprints = (): Fingerprints =>
  Object.fromEntries(
    Object.entries(storedPayloadSchemas).map(([version, types]) => [
      version,
      {
        [ENVELOPE]: fingerprint(storedEventSchema(Number(version) as SchemaVersion)),
        ...Object.fromEntries(
          Object.entries(types).map(([type, schema]) => [type, fingerprint(schema)]),
        ),
      },
    ]),
  );

export const releasedFingerprints = (file = LOCK_FILE): Fingerprints =>
  JSON.parse(readFileSync(file, 'utf8'));

/** The public contract's detail schemas, by version and `detail-type`. */
export const currentIntegrationFingerprints = (): Fingerprints => ({
  [INTEGRATION_SCHEMA_VERSION]: Object.fromEntries(
    Object.entries(integrationEventSchemas).map(([type, schema]) => [type, fingerprint(schema)]),
  ),
});

/** Each lock `npm run generate` keeps, with what the code holds now. */
export const LOCKS = [
  { file: LOCK_FILE, current: currentFingerprints, typesMayBeAdded: false },
  // A detail-type reaches only subscribers whose rules name it: a version may gain one.
  { file: INTEGRATION_LOCK_FILE, current: currentIntegrationFingerprints, typesMayBeAdded: true },
];

/**
 * Released schemas the code changed, dropped or added a type to: each one is a broken promise
 * to readers of that version.
 */
export const changedReleasedSchemas = (
  released: Fingerprints,
  current: Fingerprints,
  { typesMayBeAdded = false } = {},
) =>
  Object.entries(released).flatMap(([version, types]) =>
    [
      ...new Set([
        ...Object.keys(types),
        ...(typesMayBeAdded ? [] : Object.keys(current[version] ?? {})),
      ]),
    ]
      .filter((type) => current[version]?.[type] !== types[type])
      .map((type) => `${type}@${version}`),
  );

/** The lock with the versions the code adds; a released entry is never rewritten. */
export const withNewVersions = (
  released: Fingerprints,
  current: Fingerprints,
  options: { typesMayBeAdded?: boolean } = {},
): Fingerprints => {
  const changed = changedReleasedSchemas(released, current, options);
  if (changed.length > 0) {
    throw new Error(
      `Released event schemas changed: ${changed.join(', ')}. Add a new schema version with an upcaster instead (shared/src/events).`,
    );
  }
  return Object.fromEntries(
    Object.entries(current).map(([version, types]) => [
      version,
      { ...types, ...released[version] },
    ]),
  );
};
