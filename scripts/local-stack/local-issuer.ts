import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_SCOPE } from '@users/shared/caller';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { ROOT } from './paths';

/**
 * The local stand-in for an identity provider under `npm start -- --auth`: one signing key,
 * made on first use and kept in `.local-auth/` (git-ignored), whose public half the stack serves
 * as a JWKS, as Cognito or any OIDC issuer does.
 */
const KEY_FILE = join(ROOT, '.local-auth', 'signing-key.json');
const ALGORITHM = 'ES256';
export const LOCAL_AUDIENCE = 'users-local';

export const localIssuerUrl = (port: number) => `http://localhost:${port}`;

type StoredKey = { privateJwk: JWK; publicJwk: JWK };

const signingKey = async (): Promise<StoredKey> => {
  if (existsSync(KEY_FILE)) return JSON.parse(readFileSync(KEY_FILE, 'utf8'));
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const kid = `local-${Date.now().toString(36)}`;
  const key = {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALGORITHM },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: 'sig' },
  };
  mkdirSync(join(ROOT, '.local-auth'), { recursive: true });
  writeFileSync(KEY_FILE, JSON.stringify(key), { mode: 0o600 });
  return key;
};

export const localJwks = async () => ({ keys: [(await signingKey()).publicJwk] });

/**
 * A token the local stack accepts, shaped like an access token of an issuer other than Cognito:
 * an administrator holds the `users/admin` scope (see callerOf).
 */
export const signLocalToken = async ({
  subject,
  admin = false,
  expiresInSeconds = 3600,
  issuer,
  claims = {},
}: {
  subject: string;
  admin?: boolean;
  expiresInSeconds?: number;
  issuer: string;
  /** More claims, as another issuer might put in (tests). */
  claims?: Record<string, unknown>;
}) => {
  const { privateJwk } = await signingKey();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims, ...(admin && { scope: ADMIN_SCOPE }), token_use: 'access' })
    .setProtectedHeader({ alg: ALGORITHM, kid: privateJwk.kid as string })
    .setIssuer(issuer)
    .setAudience(LOCAL_AUDIENCE)
    .setSubject(subject)
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(await importJWK(privateJwk, ALGORITHM));
};
