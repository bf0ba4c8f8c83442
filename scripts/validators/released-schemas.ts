import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { storedPayloadSchemas } from '@users/shared/schemas';
import stableStringify from 'safe-stable-stringify';

export const LOCK_FILE = join(__dirname, '../../shared/src/events/released-schemas.lock.json');

type Fingerprints = Record<string, Record<string, string>>;

/** Each stored payload schema's fingerprint, by version and event type. */
export const currentFingerprints = (): Fingerprints =>
  Object.fromEntries(
    Object.entries(storedPayloadSchemas).map(([version, types]) => [
      version,
      Object.fromEntries(
        Object.entries(types).map(([type, schema]) => [
          type,
          createHash('sha256')
            .update(stableStringify(schema) as string)
            .digest('hex'),
        ]),
      ),
    ]),
  );

export const releasedFingerprints = (): Fingerprints => JSON.parse(readFileSync(LOCK_FILE, 'utf8'));

/** Released schemas that the code changed or dropped: each one is a broken promise to readers. */
export const changedReleasedSchemas = (released: Fingerprints, current: Fingerprints) =>
  Object.entries(released).flatMap(([version, types]) =>
    Object.entries(types)
      .filter(([type, fingerprint]) => current[version]?.[type] !== fingerprint)
      .map(([type]) => `${type}@${version}`),
  );

/** The lock with the versions the code adds; a released entry is never rewritten. */
export const withNewVersions = (released: Fingerprints, current: Fingerprints): Fingerprints => {
  const changed = changedReleasedSchemas(released, current);
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
