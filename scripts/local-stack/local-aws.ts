import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { localIssuerUrl, localJwks } from './local-issuer';
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
 * discovery document and JWKS (for `--auth`), and Secrets Manager's GetSecretValue for the one
 * secret the functions read (the SDK is pointed here with AWS_ENDPOINT_URL_SECRETS_MANAGER).
 * The secret is made afresh for every start, as a deployed stage generates its own.
 */
export const startLocalAws = async (port: number) => {
  await requireFreePort(port, 'local AWS services');
  const issuer = localIssuerUrl(port);
  const secret = randomBytes(32).toString('base64url');
  const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });
  const answer = async (request: IncomingMessage) => {
    if (request.url === '/.well-known/openid-configuration') {
      return json(200, { issuer, jwks_uri: `${issuer}/.well-known/jwks.json` });
    }
    if (request.url === '/.well-known/jwks.json') return json(200, await localJwks());
    const target = request.headers['x-amz-target'];
    const { SecretId } = JSON.parse((await readBody(request)) || '{}');
    if (target === 'secretsmanager.GetSecretValue' && SecretId === LOCAL_PAGE_TOKEN_SECRET_ID) {
      return json(200, { Name: SecretId, ARN: SecretId, SecretString: secret, VersionId: '1' });
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
