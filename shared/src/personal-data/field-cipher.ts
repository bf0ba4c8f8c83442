import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * One personal field sealed under its user's data key: AES-256-GCM with a fresh 96-bit IV, and
 * where the field belongs (user, version, path) bound as additional data, so that a sealed value
 * moved to another user, event or field does not open. Layout: `enc1.<iv>.<ciphertext+tag>`.
 */
export type SealedField = `enc1.${string}`;

const PREFIX = 'enc1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const SEALED_FIELD_PATTERN = '^enc1\\.[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]{22,}$';

/** Where a sealed field belongs; it must be given again, identical, to open it. */
export type FieldPlace = { userId: string; version: number; path: string };

const additionalData = ({ userId, version, path }: FieldPlace) =>
  Buffer.from(JSON.stringify([userId, version, path]));

export const isSealed = (value: unknown): value is SealedField =>
  typeof value === 'string' && value.startsWith(PREFIX);

export const sealField = (key: Buffer, plaintext: string, place: FieldPlace): SealedField => {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(additionalData(place));
  const sealed = Buffer.concat([
    cipher.update(plaintext, 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return `${PREFIX}${iv.toString('base64url')}.${sealed.toString('base64url')}`;
};

export class UnreadableFieldError extends Error {}

/** Throws UnreadableFieldError for a value that was altered, moved or sealed under another key. */
export const openField = (key: Buffer, sealed: SealedField, place: FieldPlace): string => {
  const [, ivText, bodyText] = sealed.split('.');
  const iv = Buffer.from(ivText ?? '', 'base64url');
  const body = Buffer.from(bodyText ?? '', 'base64url');
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) {
    throw new UnreadableFieldError(`${place.path} is not a sealed field`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv).setAAD(additionalData(place));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new UnreadableFieldError(
      `${place.path} of ${place.userId}@${place.version} does not open`,
    );
  }
};
