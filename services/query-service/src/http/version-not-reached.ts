import { HttpError } from '@users/shared/http';

/** About one more wait: by then the projector has usually caught up (docs/api.md). */
const RETRY_AFTER_SECONDS = '1';

/**
 * The answer to a read whose `min_version` the read models had not reached within the wait: never
 * the unknown user's 404, since a user not projected yet looks the same as one never created.
 */
export const versionNotReached = (minVersion: number, currentVersion: number) =>
  new HttpError(
    'VERSION_NOT_REACHED',
    `This user has not reached version ${minVersion} yet in this read model; try again shortly`,
    { min_version: minVersion, current_version: currentVersion },
    { 'retry-after': RETRY_AFTER_SECONDS },
  );
