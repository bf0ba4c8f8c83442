import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a stage keeps when its stacks are removed: every resource its packaged templates give
 * `DeletionPolicy: Retain` (the tables, the KMS key and its alias, the erasure schedules' group,
 * the Cognito accounts). Their
 * names are fixed, so the stage's next deploy would fail creating them again, and a new KMS key
 * could not open the data keys the old one wrapped: the next deploy adopts them instead (a
 * CloudFormation import), or a throwaway stage deletes them. Nothing here calls AWS: it reads
 * what `serverless package` wrote and answers with AWS CLI commands (docs/deploy.md).
 */
export type Template = { Resources: Record<string, Resource>; Outputs?: unknown };
type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  DependsOn?: string | string[];
};
/** The physical ids that no template holds: AWS makes them up. */
export type KnownIds = { kmsKeyId?: string; userPoolId?: string };
type Identifier = Record<string, string>;

const needed = (id: string | undefined, option: string, what: string) => {
  if (!id) throw new Error(`${what} is kept by the stage: give its id with ${option}`);
  return id;
};
const kmsKeyId = (ids: KnownIds) => needed(ids.kmsKeyId, '--kms-key-id', 'The KMS key');
const userPoolId = (ids: KnownIds) => needed(ids.userPoolId, '--user-pool-id', 'The user pool');
const property = (resource: Resource, name: string) => String(resource.Properties?.[name]);

/**
 * Per type a stage keeps: the identifier CloudFormation imports it by, and the command that deletes
 * it (none for a group: it goes with its pool). A type missing here fails loudly, never silently.
 */
const KINDS: Record<
  string,
  {
    identifier: (resource: Resource, ids: KnownIds) => Identifier;
    deletion: (identifier: Identifier, region: string) => string | undefined;
  }
> = {
  'AWS::DynamoDB::Table': {
    identifier: (r) => ({ TableName: property(r, 'TableName') }),
    deletion: (i, region) => `aws dynamodb delete-table ${region} --table-name ${i.TableName}`,
  },
  'AWS::KMS::Key': {
    identifier: (_r, ids) => ({ KeyId: kmsKeyId(ids) }),
    // AWS waits at least 7 days before it deletes a key; the alias goes at once.
    deletion: (i, region) =>
      `aws kms schedule-key-deletion ${region} --key-id ${i.KeyId} --pending-window-in-days 7`,
  },
  'AWS::KMS::Alias': {
    identifier: (r) => ({ AliasName: property(r, 'AliasName') }),
    deletion: (i, region) => `aws kms delete-alias ${region} --alias-name ${i.AliasName}`,
  },
  // Deleting a group deletes its schedules: the erasures still waiting out their grace period.
  'AWS::Scheduler::ScheduleGroup': {
    identifier: (r) => ({ Name: property(r, 'Name') }),
    deletion: (i, region) => `aws scheduler delete-schedule-group ${region} --name ${i.Name}`,
  },
  'AWS::Cognito::UserPool': {
    identifier: (_r, ids) => ({ UserPoolId: userPoolId(ids) }),
    deletion: (i, region) =>
      `aws cognito-idp delete-user-pool ${region} --user-pool-id ${i.UserPoolId}`,
  },
  'AWS::Cognito::UserPoolGroup': {
    identifier: (r, ids) => ({ UserPoolId: userPoolId(ids), GroupName: property(r, 'GroupName') }),
    deletion: () => undefined,
  },
};

/** Serverless retains each function version (for rollbacks); it goes with its function. */
export const retainedResources = (template: Template) =>
  Object.entries(template.Resources).filter(
    ([, r]) => r.DeletionPolicy === 'Retain' && r.Type !== 'AWS::Lambda::Version',
  );

const identifierOf = (id: string, resource: Resource, ids: KnownIds) => {
  const kind = KINDS[resource.Type];
  if (!kind) throw new Error(`${id} (${resource.Type}) is kept, but not known here: add its type`);
  return kind.identifier(resource, ids);
};

/** Logical ids a resource names with Ref, GetAtt or DependsOn (pseudo parameters aside). */
const referencesOf = (resource: Resource) =>
  [
    ...[
      ...JSON.stringify(resource.Properties ?? {}).matchAll(/"(?:Ref|Fn::GetAtt)":\[?"([\w:]+)"/g),
    ].map((match) => match[1] as string),
    ...[resource.DependsOn ?? []].flat(),
  ].filter((name) => !name.startsWith('AWS::'));

const packaged = (dir: string) => {
  const read = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const { service } = read('serverless-state.json');
  const region = `--region ${service.provider.region}`;
  return {
    dir,
    region,
    stack: `${region} --stack-name ${service.service}-${service.provider.stage}`,
    core: read('cloudformation-template-create-stack.json') as Template,
    template: read('cloudformation-template-update-stack.json') as Template,
  };
};

/**
 * The commands that hand what a stage's stacks (their package folders, in deploy order) keep to
 * its next `serverless deploy`: each stack is created with its deployment bucket alone (what
 * serverless creates first), the kept resources are imported into it unchanged, then serverless
 * deploys the rest. `without` leaves out kept resources that no longer exist (they are created
 * again). Writes each import's two files beside its package.
 */
export const adoptionSteps = (dirs: string[], ids: KnownIds, without: string[]) => {
  const stacks = dirs.map(packaged);
  const kept = stacks.flatMap(({ template }) => retainedResources(template).map(([id]) => id));
  for (const id of without.filter((id) => !kept.includes(id))) {
    throw new Error(`The stage does not keep ${id}`);
  }
  return stacks.flatMap(({ dir, stack, core, template }) => {
    const adopted = retainedResources(template).filter(([id]) => !without.includes(id));
    if (adopted.length === 0) return [];
    const resources = { ...core.Resources, ...Object.fromEntries(adopted) };
    for (const [id, resource] of adopted) {
      for (const name of referencesOf(resource).filter((name) => !resources[name])) {
        throw new Error(`${id} refers to ${name}, which is not imported with it`);
      }
    }
    const toImport = adopted.map(([id, resource]) => ({
      ResourceType: resource.Type,
      LogicalResourceId: id,
      ResourceIdentifier: identifierOf(id, resource, ids),
    }));
    // An import may neither create nor change anything else, outputs included.
    const adoption = { ...core, Resources: resources };
    writeFileSync(join(dir, 'adopt-template.json'), JSON.stringify(adoption, null, 2));
    writeFileSync(join(dir, 'adopt-resources.json'), JSON.stringify(toImport, null, 2));
    const changeSet = `${stack} --change-set-name adopt-retained`;
    return [
      // create-stack, never deploy: on a stack that exists, it fails instead of emptying it.
      `aws cloudformation create-stack ${stack} --template-body file://${dir}/cloudformation-template-create-stack.json`,
      `aws cloudformation wait stack-create-complete ${stack}`,
      `aws cloudformation create-change-set ${changeSet} --change-set-type IMPORT --template-body file://${dir}/adopt-template.json --resources-to-import file://${dir}/adopt-resources.json`,
      `aws cloudformation wait change-set-create-complete ${changeSet}`,
      `aws cloudformation execute-change-set ${changeSet}`,
      `aws cloudformation wait stack-import-complete ${stack}`,
    ];
  });
};

const isProtected = ([, r]: [string, Resource]) =>
  String(r.Properties?.DeletionProtectionEnabled) === 'true' ||
  r.Properties?.DeletionProtection === 'ACTIVE';

/** The commands that delete what a removed stage kept: for throwaway stages only. */
export const deletionSteps = (dirs: string[], ids: KnownIds) =>
  dirs.map(packaged).flatMap(({ region, template }) => {
    const kept = retainedResources(template);
    if (kept.some(isProtected)) {
      throw new Error(
        'The stage protects its data from deletion (deletionProtection): it is no throwaway stage',
      );
    }
    return kept.flatMap(
      ([id, resource]) =>
        KINDS[resource.Type]?.deletion(identifierOf(id, resource, ids), region) ?? [],
    );
  });
