// `npm run token -- --sub <user_id> [--admin] [--expires-in <seconds>]`: prints a token that a
// stack started with `npm start -- --auth` accepts (LOCAL_AWS_PORT if that stack is not on 3004).
import './require-node.cjs';
import { parseArgs } from 'node:util';
import { localIssuerUrl, signLocalToken } from './local-stack/local-issuer';

const { values } = parseArgs({
  options: {
    sub: { type: 'string' },
    admin: { type: 'boolean', default: false },
    'expires-in': { type: 'string', default: '3600' },
  },
});

const main = async () => {
  const expiresInSeconds = Number(values['expires-in']);
  if (!values.sub || !Number.isInteger(expiresInSeconds)) {
    throw new Error('usage: npm run token -- --sub <user_id> [--admin] [--expires-in <seconds>]');
  }
  const issuer = localIssuerUrl(Number(process.env.LOCAL_AWS_PORT ?? 3004));
  console.log(
    await signLocalToken({ subject: values.sub, admin: values.admin, expiresInSeconds, issuer }),
  );
};

main().catch((error) => {
  console.error(error.message);
  process.exitCode = 1;
});
