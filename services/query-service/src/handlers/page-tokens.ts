import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { FUNCTION_CLIENT_OPTIONS, requiredEnv } from '@users/shared/dynamo';
import { createPageTokens } from '../http/page-token';

/** How long a warm function keeps the secret before asking Secrets Manager again. */
const SECRET_MAX_AGE_SECONDS = 300;

const secrets = new SecretsProvider({ clientConfig: FUNCTION_CLIENT_OPTIONS });

/**
 * The signer of `next_token`, for the routes that page (list, history): the key is read from
 * Secrets Manager at run time and cached, never put in the function's configuration.
 */
export const pageTokens = async () => {
  const secret = await secrets.get(requiredEnv('PAGE_TOKEN_SECRET_ID'), {
    maxAge: SECRET_MAX_AGE_SECONDS,
  });
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new Error('The page-token secret is empty');
  }
  return createPageTokens(secret);
};
