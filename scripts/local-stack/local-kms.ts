import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths';

/** The local key-encryption key, made on first use and kept beside the signing key. */
const KEK_FILE = join(ROOT, '.local-auth', 'key-encryption-key');
export const LOCAL_KMS_KEY_ID = 'alias/users-local';

const keyEncryptionKey = () => {
  if (!existsSync(KEK_FILE)) {
    mkdirSync(join(ROOT, '.local-auth'), { recursive: true });
    writeFileSync(KEK_FILE, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return Buffer.from(readFileSync(KEK_FILE, 'utf8').trim(), 'hex');
};

const contextBytes = (context: Record<string, string> = {}) =>
  Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))));

/**
 * KMS's GenerateDataKey and Decrypt, as the functions call them, under a local key: a data key
 * comes back in the clear and wrapped (AES-256-GCM, bound to the encryption context), and only
 * the same context unwraps it. Undefined means "cannot": KMS answers InvalidCiphertextException.
 */
export const localKms = () => {
  const kek = keyEncryptionKey();
  return (operation: string, input: Record<string, unknown>) => {
    const context = contextBytes(input.EncryptionContext as Record<string, string>);
    if (operation === 'GenerateDataKey') {
      const dataKey = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', kek, iv).setAAD(context);
      const wrapped = Buffer.concat([
        iv,
        cipher.update(dataKey),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return {
        KeyId: LOCAL_KMS_KEY_ID,
        Plaintext: dataKey.toString('base64'),
        CiphertextBlob: wrapped.toString('base64'),
      };
    }
    if (operation === 'Decrypt') {
      const wrapped = Buffer.from(String(input.CiphertextBlob), 'base64');
      try {
        const decipher = createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, 12)).setAAD(
          context,
        );
        decipher.setAuthTag(wrapped.subarray(wrapped.length - 16));
        const dataKey = Buffer.concat([
          decipher.update(wrapped.subarray(12, wrapped.length - 16)),
          decipher.final(),
        ]);
        return { KeyId: LOCAL_KMS_KEY_ID, Plaintext: dataKey.toString('base64') };
      } catch {
        return undefined;
      }
    }
    return undefined;
  };
};
