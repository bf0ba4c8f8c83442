export class InvalidEventError extends Error {
  constructor(readonly errors: string[]) {
    super(`Invalid event: ${errors.join('; ')}`);
  }
}

/** Never guessed at: the event waits (projector) or is refused (503) until this code is updated. */
export class NewerSchemaVersionError extends Error {
  constructor(readonly schemaVersion: unknown) {
    super(`Schema version ${String(schemaVersion)} is newer than this release reads`);
  }
}
