// `npx node -r esbuild-register deploy/retained.ts adopt|delete --stage S [--kms-key-id ID]
//   [--user-pool-id ID] [--without LogicalId,...]`, after `npm run package -- --stage S`.
// Prints the AWS CLI commands that hand what a removed stage kept to its next deploy (adopt), or
// that delete it (delete: a throwaway stage, such as the restore drill's). Calls no AWS itself:
// docs/deploy.md, "Removing a stage and deploying it again".
import '../scripts/require-node.cjs';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { adoptionSteps, deletionSteps } from './retained-resources';

const USAGE =
  'usage: npx node -r esbuild-register deploy/retained.ts adopt|delete --stage S [--kms-key-id ID] [--user-pool-id ID] [--without LogicalId,...]';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    stage: { type: 'string' },
    'kms-key-id': { type: 'string' },
    'user-pool-id': { type: 'string' },
    without: { type: 'string', default: '' },
  },
});

const main = () => {
  const [action] = positionals;
  const stage = values.stage;
  if (!stage || (action !== 'adopt' && action !== 'delete')) throw new Error(USAGE);
  // Each service's package folder, in the order the compose file deploys them.
  const compose = parse(readFileSync(join(__dirname, 'serverless-compose.yml'), 'utf8'));
  const dirs = Object.values(compose.services as Record<string, { path: string }>).map((service) =>
    relative(process.cwd(), join(__dirname, service.path, '.serverless')),
  );
  for (const dir of dirs) {
    const state = JSON.parse(readFileSync(join(dir, 'serverless-state.json'), 'utf8'));
    if (state.service.provider.stage !== stage) {
      throw new Error(
        `${dir} holds stage ${state.service.provider.stage}: run npm run package -- --stage ${stage} first`,
      );
    }
  }
  const ids = { kmsKeyId: values['kms-key-id'], userPoolId: values['user-pool-id'] };
  const steps =
    action === 'adopt'
      ? adoptionSteps(dirs, ids, values.without.split(',').filter(Boolean))
      : deletionSteps(dirs, ids);
  console.log(steps.join('\n'));
};

try {
  main();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
