import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { UnauthorizedError } from './errors';

/** Who sent a request, from the claims the stage's JWT authorizer verified. */
export type Caller = { subject: string; admin: boolean };

export const ADMIN_GROUP = 'admin';

type Claims = Record<string, string | number | boolean | string[]>;

/**
 * API Gateway passes a list claim as the text "[a b]"; a token may hold a real list. Group names
 * with spaces cannot be told apart in that text (Cognito's cannot hold any): with another issuer,
 * grant administrators the `users/admin` scope instead.
 */
const listClaim = (value: Claims[string] | undefined): string[] =>
  Array.isArray(value)
    ? value
    : String(value ?? '')
        .replace(/^\[|\]$/g, '')
        .split(/\s+/)
        .filter(Boolean);

/**
 * An administrator is in the `admin` group (Cognito's `cognito:groups`, or `groups` from another
 * issuer) or holds the `users/admin` scope.
 */
export const callerOf = (
  event: Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'>,
) => {
  const claims = event.requestContext?.authorizer?.jwt?.claims as Claims | undefined;
  const subject = claims?.sub;
  if (typeof subject !== 'string' || subject === '') throw new UnauthorizedError();
  const groups = [...listClaim(claims?.['cognito:groups']), ...listClaim(claims?.groups)];
  const scopes = listClaim(claims?.scope);
  return {
    subject,
    admin: groups.includes(ADMIN_GROUP) || scopes.includes('users/admin'),
  } satisfies Caller;
};
