import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { localIssuerUrl, localJwks } from './local-issuer';
import { localKms } from './local-kms';
import { requireFreePort } from './ports';

/** The page-token secret's id, as the local stack's functions are configured with it. */
export const LOCAL_PAGE_TOKEN_SECRET_ID = 'users-local-page-token';

const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * What the stack needs of AWS besides DynamoDB, on one local port: the identity provider's
 * discovery document and JWKS (for `--auth`), Secrets Manager's GetSecretValue for the one
 * secret the functions read, and KMS's GenerateDataKey and Decrypt under a local key-encryption
 * key (the SDK is pointed here with AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL_KMS).
 * The secret is made afresh for every start, as a deployed stage generates its own.
 */
export const startLocalAws = async (port: number) => {
  await requireFreePort(port, 'local AWS services');
  const issuer = localIssuerUrl(port);
  const secret = randomBytes(32).toString('base64url');
  const kms = localKms();
  const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });
  const answer = async (request: IncomingMessage) => {
    if (request.url === '/.well-known/openid-configuration') {
      return json(200, { issuer, jwks_uri: `${issuer}/.well-known/jwks.json` });
    }
    if (request.url === '/.well-known/jwks.json') return json(200, await localJwks());
    const target = String(request.headers['x-amz-target']);
    const input = JSON.parse((await readBody(request)) || '{}');
    if (
      target === 'secretsmanager.GetSecretValue' &&
      input.SecretId === LOCAL_PAGE_TOKEN_SECRET_ID
    ) {
      const { SecretId } = input;
      return json(200, { Name: SecretId, ARN: SecretId, SecretString: secret, VersionId: '1' });
    }
    if (target.startsWith('TrentService.')) {
      const answer = kms(target.slice('TrentService.'.length), input);
      return answer ? json(200, answer) : json(400, { __type: 'InvalidCiphertextException' });
    }
    return json(400, { __type: 'ResourceNotFoundException', message: 'Not here' });
  };
  const server = createServer(async (request, response) => {
    const { status, body } = await answer(request).catch(() => json(500, { message: 'failed' }));
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    endpoint: `http://localhost:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export type LocalAws = Awaited<ReturnType<typeof startLocalAws>>;
