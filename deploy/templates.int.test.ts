import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { parse } from 'yaml';
import { runCommand } from '../scripts/local-stack/processes';
import { adoptionSteps, deletionSteps, retainedResources } from './retained-resources';

/**
 * Nothing here may touch AWS: each service is packaged offline with dummy credentials and every
 * deploy-time promise is checked on the CloudFormation that `serverless package` writes.
 */
const ROOT = join(__dirname, '..');
type Template = {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, Output>;
  Conditions?: object;
};
type Resource = {
  Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are probed freely, per resource type
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Condition?: string;
};
type Output = { Value: unknown; Export?: { Name: string } };
type Statement = { Effect: string; Action: string[]; Resource: unknown };

const packageService = async (service: string, stage: string, params: string[] = []) => {
  const out = mkdtempSync(join(tmpdir(), `${service}-${stage}-`));
  const { stdout, stderr } = await runCommand(
    join(ROOT, 'node_modules/.bin/serverless'),
    ['package', '--stage', stage, '--package', out, ...params.flatMap((p) => ['--param', p])],
    {
      cwd: join(ROOT, 'services', service),
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'dummy',
        AWS_SECRET_ACCESS_KEY: 'dummy',
        AWS_SESSION_TOKEN: '',
      },
    },
  );
  const template: Template = JSON.parse(
    readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
  );
  return { out, template, output: stdout + stderr };
};

/**
 * A service packaged once with stage parameters that do not touch one another, for the tests
 * that each check one of them (a package costs seconds of CPU).
 */
const sharedVariant = (service: string, params: string[]) => {
  let made: ReturnType<typeof packageService> | undefined;
  return () => {
    made ??= packageService(service, 'variant', params).then((packaged) => {
      outputs.push(packaged.out);
      return packaged;
    });
    return made;
  };
};
const commandVariant = sharedVariant('command-service', [
  'billingMode=PROVISIONED',
  'readCapacity=7',
  'writeCapacity=9',
  'deletionProtection=true',
]);
const statsVariant = sharedVariant('stats-service', [
  'alarmTopicArn=arn:aws:sns:us-east-1:123456789012:ops',
  'tracing=PassThrough',
]);

const cfnLint = spawnSync('cfn-lint', ['--version']).status === 0;
const lintFindings = (templates: string[]) => {
  const run = spawnSync('cfn-lint', templates, { cwd: ROOT, encoding: 'utf8' });
  return { output: run.stdout + run.stderr, status: run.status };
};

const ofType = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

const statementsOf = (template: Template, roleId: string): Statement[] =>
  (
    (template.Resources[roleId] as Resource).Properties.Policies as {
      PolicyDocument: { Statement: Statement[] };
    }[]
  ).flatMap((policy) =>
    policy.PolicyDocument.Statement.map((s) => ({ ...s, Action: [s.Action].flat() })),
  );

const roleOf = (template: Template, functionId: string) => {
  const role = template.Resources[functionId]?.Properties.Role;
  expect(role).toEqual({
    'Fn::GetAtt': [expect.stringMatching(/IamRoleLambdaExecution$/), 'Arn'],
  });
  return role['Fn::GetAtt'][0] as string;
};

/** Every grant but logging and tracing (tested apart), as "resource: actions", sorted. */
const grantsOf = (statements: Statement[]) =>
  statements
    .filter((s) => !s.Action.some((a) => a.startsWith('logs:') || a.startsWith('xray:')))
    .flatMap((s) =>
      resourcesOf(s).map((r) => `${resourceName(r)}: ${[...s.Action].sort().join(' ')}`),
    )
    .sort();

const actionsOn = (statements: Statement[], service: string) =>
  statements.flatMap((s) => s.Action.filter((action) => action.startsWith(`${service}:`))).sort();

const resourcesOf = (statement: Statement) => [statement.Resource].flat();

/** `UserDetailTable` for a GetAtt of its ARN, `UserDetailTable/index/ListIndex` for a joined one. */
const resourceName = (resource: unknown): string => {
  const intrinsic = resource as {
    'Fn::GetAtt'?: string[];
    'Fn::Join'?: [string, unknown[]];
    'Fn::Sub'?: string;
  };
  if (intrinsic['Fn::GetAtt']) return intrinsic['Fn::GetAtt'][0] as string;
  // A table by name (a pattern): `table/users-dev-user-detail-v*`.
  const table = intrinsic['Fn::Sub']?.match(/:table\/(.+)$/)?.[1];
  if (table) return `table/${table}`;
  if (intrinsic['Fn::Join']) {
    const [separator, parts] = intrinsic['Fn::Join'];
    return parts
      .map((part) => (typeof part === 'string' ? part : resourceName(part)))
      .join(separator);
  }
  return JSON.stringify(resource);
};

let command: Template;
let query: Template;
let queryProd: Template;
let commandProd: Template;
let stats: Template;
let queryProdOutput: string;
let queryDevOutput: string;
const outputs: string[] = [];

beforeAll(async () => {
  // The two services build in parallel; one service's stages cannot (they share its build folder).
  const bothStages = async (service: string) => [
    await packageService(service, 'dev'),
    await packageService(service, 'prod'),
  ];
  const [[commandDev, commandProdPackage], [queryDev, queryProdPackage], statsDev] =
    await Promise.all([
      bothStages('command-service'),
      bothStages('query-service'),
      packageService('stats-service', 'dev'),
    ]);
  stats = statsDev.template;
  const packaged = [commandDev, queryDev, commandProdPackage, queryProdPackage] as {
    out: string;
    template: Template;
    output: string;
  }[];
  queryDevOutput = packaged[1]?.output as string;
  queryProdOutput = packaged[3]?.output as string;
  [command, query, commandProd, queryProd] = packaged.map((p) => p.template) as [
    Template,
    Template,
    Template,
    Template,
  ];
  outputs.push(...packaged.map((p) => p.out), statsDev.out);
}, 240_000);
afterAll(() => {
  for (const dir of outputs) rmSync(dir, { recursive: true, force: true });
});

describe('runtime and packaging', () => {
  it('runs every function on nodejs24.x from its own small esbuild bundle', () => {
    const dirs = outputs;
    for (const [template, dir] of [
      [command, dirs[0]],
      [query, dirs[1]],
      [stats, dirs[4]],
    ] as [Template, string][]) {
      for (const [id, fn] of ofType(template, 'AWS::Lambda::Function')) {
        expect([id, fn.Properties.Runtime]).toEqual([id, 'nodejs24.x']);
        const artifact = fn.Properties.Code.S3Key.split('/').pop();
        const zip = new AdmZip(join(dir, artifact));
        const bundle = zip.getEntries().find((entry) => entry.entryName.endsWith('handler.js'));
        expect(bundle).toBeDefined();
        // The Tracer and the X-Ray SDK in a file of their own beside the bundle, loaded only
        // where the function may trace (shared/serverless/esbuild-plugins.cjs).
        const tracer = `${bundle?.entryName.slice(0, -'.js'.length)}.tracer.js`;
        expect([id, zip.getEntry(tracer) !== null]).toEqual([id, true]);
        // One bundle per function, AWS SDK included (tree-shaken): a budget against regressions
        // of cold start (docs/benchmarks.md). The docs serve Swagger UI (1.7 MB) from gzipped
        // files beside their bundle rather than from a CDN.
        expect([id, (bundle?.header.size ?? 0) <= 400 * 1024]).toEqual([id, true]);
        const docs = id === 'DocsLambdaFunction';
        if (docs) {
          const beside = `${bundle?.entryName.slice(0, -'.js'.length)}.swagger-ui-bundle.js.gz`;
          expect(zip.getEntry(beside)?.header.size).toBeGreaterThan(300 * 1024);
        }
        expect(statSync(join(dir, artifact)).size).toBeLessThan((docs ? 2 : 1) * 1024 * 1024);
      }
    }
  });

  it('never ships test doubles, fault hooks or anything local-only', () => {
    for (const template of [command, query, commandProd, queryProd, stats]) {
      expect(JSON.stringify(template)).not.toMatch(/PROJECTOR_FAULT_FILE|IS_OFFLINE/);
    }
    for (const [template, dir] of [
      [command, outputs[0]],
      [query, outputs[1]],
      [stats, outputs[4]],
    ] as [Template, string][]) {
      for (const [, fn] of ofType(template, 'AWS::Lambda::Function')) {
        const zip = new AdmZip(join(dir as string, fn.Properties.Code.S3Key.split('/').pop()));
        for (const entry of zip.getEntries()) {
          expect(entry.getData().toString('utf8')).not.toMatch(
            /IS_OFFLINE|PROJECTOR_FAULT_FILE|InjectedFault|withFaults|fast-check|InMemoryReadModelStore/,
          );
        }
      }
    }
  });

  it('sets the log level per stage', () => {
    const level = (template: Template) =>
      ofType(template, 'AWS::Lambda::Function').map(
        ([, fn]) => fn.Properties.Environment.Variables.POWERTOOLS_LOG_LEVEL,
      );
    expect(new Set(level(command))).toEqual(new Set(['INFO']));
    expect(new Set([...level(commandProd), ...level(queryProd)])).toEqual(new Set(['WARN']));
  });
});

describe('least privilege', () => {
  it("gives every function a role of its own, and no other role exists but the scheduler's", () => {
    for (const template of [command, query, stats]) {
      const functions = ofType(template, 'AWS::Lambda::Function').map(([id]) => id);
      const roles = functions.map((id) => roleOf(template, id));
      expect(new Set(roles).size).toBe(functions.length);
      const schedulers = template === command ? ['ErasureSchedulerRole'] : [];
      expect(
        ofType(template, 'AWS::IAM::Role')
          .map(([id]) => id)
          .sort(),
      ).toEqual([...roles, ...schedulers].sort());
    }
  });

  it('lets EventBridge Scheduler, for this account only, invoke the scheduled erasure and nothing else', () => {
    const role = command.Resources.ErasureSchedulerRole as Resource;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          // Scheduler assumes the role for the schedule group (its ARN is the source), not a schedule.
          ArnEquals: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':scheduler:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':schedule-group/users-dev-erasures',
                ],
              ],
            },
          },
        },
      },
    ]);
    expect(grantsOf(statementsOf(command, 'ErasureSchedulerRole'))).toEqual([
      'ErasureFailureQueue: sqs:SendMessage',
      'ScheduledErasureLambdaFunction: lambda:InvokeFunction',
    ]);
    const group = command.Resources.ErasureScheduleGroup as Resource;
    expect(group.Properties.Name).toBe('users-dev-erasures');
    // Kept schedules name the role and the failure queue by ARN: both keep theirs across a
    // removal and a new deploy of the stage.
    // IAM names are per account: the region keeps a stage deployable to two regions of one.
    expect(role.Properties.RoleName).toBe('users-dev-us-east-1-erasure-scheduler');
    const failures = command.Resources.ErasureFailureQueue as Resource;
    expect(failures.Properties.QueueName).toBe('users-dev-erasure-failures');
    const erasure = command.Resources.ScheduledErasureLambdaFunction as Resource;
    expect(erasure.Properties.Environment.Variables).not.toHaveProperty('ERASURE_GRACE_DAYS');
    const commandFn = command.Resources.CommandLambdaFunction as Resource;
    expect(commandFn.Properties.Environment.Variables.ERASURE_GRACE_DAYS).toBe('30');
  });

  it('never grants * on DynamoDB', () => {
    for (const template of [command, query]) {
      for (const [roleId] of ofType(template, 'AWS::IAM::Role')) {
        for (const statement of statementsOf(template, roleId)) {
          if (!statement.Action.some((action) => action.startsWith('dynamodb:'))) continue;
          expect(statement.Action.join()).not.toMatch(/\*/);
          expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"/);
        }
      }
    }
  });

  it('lets the command handler append events and keys, and nothing else', () => {
    const statements = statementsOf(command, roleOf(command, 'CommandLambdaFunction'));
    const byTable = (table: string) =>
      statements
        .filter((s) => JSON.stringify(s.Resource).includes(table))
        .flatMap((s) => s.Action)
        .sort();
    expect(byTable('"EventsTable"')).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    // A key's record rides in its event's transaction, or is put alone for a refusal.
    expect(byTable('"IdempotencyTable"')).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    // Erasure puts a tombstone over the key (one item of its transaction): nothing deletes one.
    expect(byTable('"DataKeysTable"')).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    // An erasure starts its receipt (one item of its transaction).
    expect(byTable('"ErasureReceiptsTable"')).toEqual(['dynamodb:PutItem']);
    // A request puts its pending erasure, a cancellation or an erasure deletes it (in the event's
    // transaction); reading them is the sweep's.
    expect(byTable('"PendingErasuresTable"')).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem']);
    expect(actionsOn(statements, 'dynamodb')).toHaveLength(10);
    expect(statements.filter((s) => s.Action.some((a) => a.startsWith('kms:')))).toEqual([
      expect.objectContaining({
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::GetAtt': ['DataKeysKmsKey', 'Arn'] },
      }),
    ]);
    // An erasure request's schedule, in the stage's group only, with the one role it may pass.
    expect(grantsOf(statements.filter((s) => !JSON.stringify(s).includes('dynamodb:')))).toEqual([
      'DataKeysKmsKey: kms:Decrypt kms:GenerateDataKey',
      'ErasureSchedulerRole: iam:PassRole',
      'arn:{"Ref":"AWS::Partition"}:scheduler:{"Ref":"AWS::Region"}:{"Ref":"AWS::AccountId"}:schedule/users-dev-erasures/*: scheduler:CreateSchedule scheduler:DeleteSchedule scheduler:GetSchedule',
    ]);
    expect(statements.find((s) => s.Action.includes('iam:PassRole'))).toMatchObject({
      Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    });
  });

  it("runs the erasure sweep hourly, shorter than its period, with the scheduled erasure's grants and a Scan of the pending erasures", () => {
    const sweep = command.Resources.ErasureSweepLambdaFunction as Resource;
    expect(sweep.Properties.Timeout).toBeLessThan(3600);
    const rules = ofType(command, 'AWS::Events::Rule').map(([, rule]) => rule.Properties);
    expect(rules).toEqual([
      expect.objectContaining({
        ScheduleExpression: 'rate(1 hour)',
        Targets: [
          expect.objectContaining({ Arn: { 'Fn::GetAtt': ['ErasureSweepLambdaFunction', 'Arn'] } }),
        ],
      }),
    ]);
    const scheduled = grantsOf(
      statementsOf(command, roleOf(command, 'ScheduledErasureLambdaFunction')),
    );
    expect(scheduled).toEqual([
      'DataKeysTable: dynamodb:PutItem',
      'ErasureFailureQueue: sqs:SendMessage',
      'ErasureReceiptsTable: dynamodb:PutItem',
      'EventsTable: dynamodb:GetItem dynamodb:PutItem dynamodb:Query',
      'PendingErasuresTable: dynamodb:DeleteItem',
    ]);
    // The same, but the failure queue (a failed run is the next run's), and the Scan.
    expect(grantsOf(statementsOf(command, roleOf(command, 'ErasureSweepLambdaFunction')))).toEqual([
      'DataKeysTable: dynamodb:PutItem',
      'ErasureReceiptsTable: dynamodb:PutItem',
      'EventsTable: dynamodb:GetItem dynamodb:PutItem dynamodb:Query',
      'PendingErasuresTable: dynamodb:DeleteItem dynamodb:Scan',
    ]);
    const table = command.Resources.PendingErasuresTable as Resource;
    expect(table.Properties.TableName).toBe('users-dev-pending-erasures');
    expect(table.Properties.KeySchema).toEqual([{ AttributeName: 'UserID', KeyType: 'HASH' }]);
    expect(table.Properties.StreamSpecification).toBeUndefined();
  });

  it('lets the read handlers read only, each its own tables', () => {
    const expected: Record<string, [string[], string[]]> = {
      // Each also reads which projection version is live (ProjectionsTable).
      // and every later version's tables by name (docs/projections.md).
      ListLambdaFunction: [
        ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Scan'],
        [
          'ProjectionsTable',
          'UserDetailTable',
          'UserDetailTable/index/ListIndex',
          'table/users-dev-user-detail-v*',
          'table/users-dev-user-detail-v*/index/ListIndex',
        ],
      ],
      DetailLambdaFunction: [
        ['dynamodb:GetItem', 'dynamodb:GetItem', 'dynamodb:GetItem'],
        [
          'ProjectionsTable',
          'UserDetailTable',
          'UserHistoryTable',
          'table/users-dev-user-detail-v*',
          'table/users-dev-user-history-v*',
        ],
      ],
      HistoryLambdaFunction: [
        ['dynamodb:GetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
        [
          'ProjectionsTable',
          'UserDetailTable',
          'UserHistoryTable',
          'table/users-dev-user-detail-v*',
          'table/users-dev-user-history-v*',
        ],
      ],
    };
    for (const [functionId, [actions, tables]] of Object.entries(expected)) {
      const statements = statementsOf(query, roleOf(query, functionId));
      expect(actionsOn(statements, 'dynamodb')).toEqual(actions);
      const dynamoResources = statements
        .filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')))
        .flatMap(resourcesOf)
        .map(resourceName);
      expect(dynamoResources.sort()).toEqual(tables);
      expect(actionsOn(statements, 'sqs')).toEqual([]);
    }
  });

  it('lets the projector read the stream and write read models, and only Query the event store', () => {
    const statements = statementsOf(query, roleOf(query, 'ProjectorLambdaFunction'));
    const stream = statements.find((s) => s.Action.includes('dynamodb:GetRecords'));
    expect(stream?.Action.sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
    expect(resourcesOf(stream as Statement)).toEqual([
      { 'Fn::ImportValue': 'users-command-dev-EventsTableStreamArn' },
    ]);
    // Every grant, by what it is on: enough to project and erase, and to read one user's events
    // when the stream left a gap; nothing that writes the event store.
    const grants = grantsOf(statements.filter((s) => !s.Action.includes('dynamodb:GetRecords')));
    expect(grants).toEqual([
      'ProjectionsTable: dynamodb:BatchGetItem dynamodb:BatchWriteItem dynamodb:ConditionCheckItem dynamodb:UpdateItem',
      'ProjectorFailureQueue: sqs:SendMessage',
      'UserDetailTable: dynamodb:BatchGetItem dynamodb:GetItem dynamodb:PutItem dynamodb:UpdateItem',
      'UserHistoryTable: dynamodb:BatchWriteItem dynamodb:Query',
      'arn:{"Ref":"AWS::Partition"}:dynamodb:{"Ref":"AWS::Region"}:{"Ref":"AWS::AccountId"}:table/users-dev-recent-events: dynamodb:BatchWriteItem',
      'table/users-dev-user-detail-v*: dynamodb:BatchGetItem dynamodb:GetItem dynamodb:PutItem dynamodb:UpdateItem',
      'table/users-dev-user-history-v*: dynamodb:BatchWriteItem dynamodb:Query',
      '{"Fn::ImportValue":"users-command-dev-DataKeysKmsKeyArn"}: kms:Decrypt',
      '{"Fn::ImportValue":"users-command-dev-DataKeysTableArn"}: dynamodb:GetItem',
      '{"Fn::ImportValue":"users-command-dev-ErasureReceiptsTableArn"}: dynamodb:UpdateItem',
      '{"Fn::ImportValue":"users-command-dev-EventsTableArn"}: dynamodb:Query',
    ]);
    expect(actionsOn(statements, 'sqs')).toEqual(['sqs:SendMessage']);
  });

  it('runs the history eraser on a schedule, shorter than its period, on the read models only', () => {
    const eraser = query.Resources.HistoryEraserLambdaFunction as Resource;
    expect(eraser.Properties.Timeout).toBeLessThan(60);
    const rules = Object.values(query.Resources).filter(
      (r) => (r as Resource).Type === 'AWS::Events::Rule',
    ) as Resource[];
    expect(rules.map((rule) => rule.Properties.ScheduleExpression)).toContain('rate(1 minute)');
    const grants = grantsOf(statementsOf(query, roleOf(query, 'HistoryEraserLambdaFunction')));
    expect(grants).toEqual([
      'ProjectionsTable: dynamodb:BatchGetItem dynamodb:DeleteItem dynamodb:Scan',
      'UserDetailTable/index/PendingErasures: dynamodb:Query',
      'UserDetailTable: dynamodb:GetItem dynamodb:UpdateItem',
      'UserHistoryTable: dynamodb:BatchWriteItem dynamodb:Query',
      'table/users-dev-user-detail-v*/index/PendingErasures: dynamodb:Query',
      'table/users-dev-user-detail-v*: dynamodb:GetItem dynamodb:UpdateItem',
      'table/users-dev-user-history-v*: dynamodb:BatchWriteItem dynamodb:Query',
      '{"Fn::ImportValue":"users-command-dev-ErasureReceiptsTableArn"}: dynamodb:UpdateItem',
    ]);
  });
});

describe('projection versions (docs/projections.md)', () => {
  let versioned: Template;
  beforeAll(async () => {
    const { template, out } = await packageService('query-service', 'versioned', [
      'projectionVersions=1,2',
    ]);
    outputs.push(out);
    versioned = template;
  }, 180_000);

  it("keep each later version's tables beside the first, alike, and retained until dropped", () => {
    const tables = Object.fromEntries(ofType(versioned, 'AWS::DynamoDB::Table'));
    const first = tables.UserDetailTable as Resource;
    const second = tables.UserDetailTableV2 as Resource;
    expect(second).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(second.Properties).toEqual({
      ...first.Properties,
      TableName: 'users-versioned-user-detail-v2',
    });
    expect((tables.UserHistoryTableV2 as Resource).Properties.TableName).toBe(
      'users-versioned-user-history-v2',
    );
    expect(tables.ProjectionsTable).toMatchObject({ DeletionPolicy: 'Retain' });
    expect(Object.keys(Object.fromEntries(ofType(query, 'AWS::DynamoDB::Table')))).not.toContain(
      'UserDetailTableV2',
    );
  });

  it('let only the projector and the history eraser write any version; queries read every one', () => {
    const writes = ['PutItem', 'UpdateItem', 'BatchWriteItem', 'DeleteItem'].map(
      (a) => `dynamodb:${a}`,
    );
    const writers = new Set<string>();
    for (const [roleId] of ofType(versioned, 'AWS::IAM::Role')) {
      for (const statement of statementsOf(versioned, roleId)) {
        const names = resourcesOf(statement).map(resourceName);
        if (
          names.some((n) => /user-(detail|history)-v\*$/.test(n)) &&
          statement.Action.some((a) => writes.includes(a))
        ) {
          writers.add(roleId);
        }
      }
    }
    expect([...writers].sort()).toEqual(
      [
        roleOf(versioned, 'HistoryEraserLambdaFunction'),
        roleOf(versioned, 'ProjectorLambdaFunction'),
      ].sort(),
    );
    const detailReads = grantsOf(
      statementsOf(versioned, roleOf(versioned, 'DetailLambdaFunction')),
    );
    expect(detailReads).toEqual([
      'ProjectionsTable: dynamodb:GetItem',
      'UserDetailTable: dynamodb:GetItem',
      'UserHistoryTable: dynamodb:GetItem',
      'table/users-versioned-user-detail-v*: dynamodb:GetItem',
      'table/users-versioned-user-history-v*: dynamodb:GetItem',
    ]);
    // By name: the same whether or not a deploy lists version 2 (its tables are retained).
    expect(grantsOf(statementsOf(query, roleOf(query, 'ListLambdaFunction')))).toContain(
      'table/users-dev-user-detail-v*/index/ListIndex: dynamodb:Scan',
    );
  });

  it('refuses a list that drops the first version or is out of order', async () => {
    await expect(
      packageService('query-service', 'misversioned', ['projectionVersions=2,1']),
    ).rejects.toThrow(/projectionVersions must list 1 and then later versions in order/);
  }, 120_000);
});

describe('data safety of the event store', () => {
  const eventsTable = (template: Template) => template.Resources.EventsTable as Resource;

  it('keeps the table and its backups whatever happens to the stack', () => {
    for (const template of [command, commandProd]) {
      expect(eventsTable(template)).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      expect(eventsTable(template).Properties.PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: true,
      });
      expect(eventsTable(template).Properties.StreamSpecification).toEqual({
        StreamViewType: 'NEW_IMAGE',
      });
    }
  });

  it('protects the prod table from deletion', () => {
    expect(eventsTable(commandProd).Properties.DeletionProtectionEnabled).toBe(true);
    expect(eventsTable(command).Properties.DeletionProtectionEnabled).toBe(false);
  });

  it('bills on demand by default, with provisioned capacity as a stage parameter', async () => {
    expect(eventsTable(command).Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(eventsTable(command).Properties.ProvisionedThroughput).toBeUndefined();
    const { template } = await commandVariant();
    expect(eventsTable(template).Properties).toMatchObject({
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 9 },
    });
  }, 120_000);

  it('expires idempotency keys with TTL', () => {
    expect(command.Resources.IdempotencyTable?.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'ExpiresAt',
      Enabled: true,
    });
  });
});

describe('stream failure handling', () => {
  it('maps the stream from TRIM_HORIZON with bounded retries, bisection and partial batch responses', () => {
    const [[, mapping]] = ofType(query, 'AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::ImportValue': 'users-command-dev-EventsTableStreamArn' },
      StartingPosition: 'TRIM_HORIZON',
      MaximumRetryAttempts: 10,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['ProjectorFailureQueue', 'Arn'] } },
      },
    });
  });

  it('keeps failed batches 14 days and alarms on them and on projection lag', () => {
    expect(query.Resources.ProjectorFailureQueue?.Properties.MessageRetentionPeriod).toBe(1209600);
    const alarms = ofType(query, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    expect(alarms).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [
            { Name: 'QueueName', Value: { 'Fn::GetAtt': ['ProjectorFailureQueue', 'QueueName'] } },
          ],
        }),
        expect.objectContaining({
          MetricName: 'IteratorAge',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'ProjectorLambdaFunction' } }],
        }),
      ]),
    );
  });
});

describe('one HTTP API per stage', () => {
  it('is owned by the command service, which exports it with the event stream', () => {
    expect(command.Outputs?.HttpApiId).toMatchObject({
      Value: { Ref: 'HttpApi' },
      Export: { Name: 'users-command-dev-HttpApiId' },
    });
    expect(command.Outputs?.EventsTableStreamArn).toMatchObject({
      Value: { 'Fn::GetAtt': ['EventsTable', 'StreamArn'] },
      Export: { Name: 'users-command-dev-EventsTableStreamArn' },
    });
  });

  it('gets the query routes attached, with no API of the query service own', () => {
    expect(ofType(query, 'AWS::ApiGatewayV2::Api')).toEqual([]);
    const routes = ofType(query, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
    expect(routes.map((route) => route.RouteKey).sort()).toEqual([
      'GET /asyncapi.json',
      'GET /detail',
      'GET /docs',
      'GET /docs/{asset}',
      'GET /erasures',
      'GET /erasures/{user_id}',
      'GET /export',
      'GET /history',
      'GET /list',
      'GET /openapi.json',
    ]);
    for (const route of routes)
      expect(route.ApiId).toEqual({ 'Fn::ImportValue': 'users-command-dev-HttpApiId' });
  });

  it('allows no browser origin unless a stage asks, and throttles per stage', () => {
    for (const template of [command, commandProd]) {
      expect(template.Resources.HttpApi?.Properties.CorsConfiguration).toBeUndefined();
    }
    const throttling = (template: Template) =>
      template.Resources.HttpApiStage?.Properties.DefaultRouteSettings;
    expect(throttling(command)).toMatchObject({
      ThrottlingRateLimit: 100,
      ThrottlingBurstLimit: 200,
    });
    expect(throttling(commandProd)).toMatchObject({
      ThrottlingRateLimit: 1000,
      ThrottlingBurstLimit: 2000,
    });
  });
});

describe('authentication', () => {
  it('guards every route of the API with the JWT authorizer, in every stage', () => {
    for (const template of [command, commandProd]) {
      expect(template.Resources.HttpApiJwtAuthorizer).toMatchObject({
        Properties: { AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] },
      });
      expect(template.Resources.HttpApiJwtAuthorizer?.Condition).toBeUndefined();
      expect(template.Outputs?.HttpApiAuthorizerId).toMatchObject({
        Value: { Ref: 'HttpApiJwtAuthorizer' },
        Export: { Name: expect.stringMatching(/^users-command-(dev|prod)-HttpApiAuthorizerId$/) },
      });
    }
    const routes = [command, query, commandProd, queryProd].flatMap((template) =>
      ofType(template, 'AWS::ApiGatewayV2::Route'),
    );
    // Only the documentation's static files answer without a token: they hold no data.
    const isStaticDocs = (key: string) => /^GET \/(openapi\.json|asyncapi\.json|docs)/.test(key);
    const dataRoutes = routes.filter(([, route]) => !isStaticDocs(route.Properties.RouteKey));
    expect(dataRoutes.map(([, route]) => route.Properties.RouteKey).sort()).toEqual(
      [
        'GET /detail',
        'GET /erasures',
        'GET /erasures/{user_id}',
        'GET /export',
        'GET /history',
        'GET /list',
        'POST /command',
      ]
        .flatMap((r) => [r, r])
        .sort(),
    );
    for (const [id, route] of routes.filter(([, r]) => isStaticDocs(r.Properties.RouteKey))) {
      expect([id, route.Properties.AuthorizationType]).toEqual([id, undefined]);
    }
    for (const [id, route] of dataRoutes) {
      expect([id, route.Properties.AuthorizationType]).toEqual([id, 'JWT']);
      expect([id, route.Properties.AuthorizerId]).toEqual([
        id,
        route.Properties.RouteKey === 'POST /command'
          ? { Ref: 'HttpApiJwtAuthorizer' }
          : {
              'Fn::ImportValue': expect.stringMatching(
                /^users-command-(dev|prod)-HttpApiAuthorizerId$/,
              ),
            },
      ]);
    }
  });

  it('creates a Cognito user pool, app client and admin group when no issuer is given', () => {
    for (const id of ['UserPool', 'UserPoolClient', 'AdminGroup']) {
      expect(command.Resources[id]).toBeDefined();
    }
    expect(command.Resources.AdminGroup?.Properties.GroupName).toBe('admin');
    expect(command.Resources.UserPool?.Properties.AdminCreateUserConfig).toEqual({
      AllowAdminCreateUserOnly: true,
    });
    expect(command.Resources.HttpApiJwtAuthorizer?.Properties.JwtConfiguration).toEqual({
      Issuer: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['UserPool', 'ProviderURL'] }]] },
      Audience: [{ Ref: 'UserPoolClient' }],
    });
    expect(Object.keys(command.Outputs ?? {})).toEqual(
      expect.arrayContaining(['UserPoolId', 'UserPoolClientId', 'JwtIssuer']),
    );
  });

  it('keeps the accounts the data is keyed by as the tables are kept: retained, and protected where the tables are', async () => {
    for (const template of [command, commandProd]) {
      for (const id of ['UserPool', 'AdminGroup']) {
        expect([id, template.Resources[id]]).toEqual([
          id,
          expect.objectContaining({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' }),
        ]);
      }
      const tablesProtected = template.Resources.EventsTable?.Properties.DeletionProtectionEnabled;
      expect(template.Resources.UserPool?.Properties.DeletionProtection).toBe(
        tablesProtected ? 'ACTIVE' : 'INACTIVE',
      );
    }
    expect(commandProd.Resources.UserPool?.Properties.DeletionProtection).toBe('ACTIVE');
    // `--param` hands the switch over as text: the same one decides for the pool and the tables.
    const { template } = await commandVariant();
    expect(template.Resources.UserPool?.Properties.DeletionProtection).toBe('ACTIVE');
    expect(template.Resources.EventsTable?.Properties.DeletionProtectionEnabled).toBe('true');
    await expect(
      packageService('command-service', 'half-kept', ['deletionProtection=yes']),
    ).rejects.toThrow(/deletionProtection must be true or false/);
  }, 120_000);

  it("uses the stage's own issuer and audience when both are given, and creates no user pool", async () => {
    const { template, out } = await packageService('command-service', 'ext', [
      'jwtIssuer=https://issuer.example.com/',
      'jwtAudience=users-api',
    ]);
    outputs.push(out);
    expect(template.Resources.HttpApiJwtAuthorizer?.Properties.JwtConfiguration).toEqual({
      Issuer: 'https://issuer.example.com/',
      Audience: ['users-api'],
    });
    expect(ofType(template, 'AWS::Cognito::UserPool')).toEqual([]);
    expect(template.Outputs?.JwtIssuer?.Value).toBe('https://issuer.example.com/');
    expect(template.Outputs?.UserPoolId).toBeUndefined();
  }, 120_000);

  // One refusal of each check through serverless, each value the checks refuse in
  // shared/serverless/stage-checks.test.ts.
  it('refuses to package a stage with an issuer but no audience', async () => {
    await expect(
      packageService('command-service', 'half', ['jwtIssuer=https://issuer.example.com/']),
    ).rejects.toThrow(/set both to use your own identity provider/);
  }, 120_000);

  it('refuses to package a stage whose erasure grace period is not 0 to 3650 days', async () => {
    await expect(
      packageService('command-service', 'grace', ['erasureGraceDays=forever']),
    ).rejects.toThrow(/erasureGraceDays .* must be a number of days from 0/);
  }, 120_000);
});

describe('secrets', () => {
  const functionsOf = (template: Template) => ofType(template, 'AWS::Lambda::Function');

  it('keeps no secret in any template or function configuration', () => {
    for (const template of [command, query, commandProd, queryProd]) {
      expect(JSON.stringify(template)).not.toMatch(/resolve:secretsmanager|"SecretString"/);
      for (const [, fn] of functionsOf(template)) {
        const variables = Object.keys(fn.Properties.Environment?.Variables ?? {});
        expect(
          variables.filter((name) => /SECRET/.test(name) && name !== 'PAGE_TOKEN_SECRET_ID'),
        ).toEqual([]);
      }
    }
  });

  it('lets only the functions that sign page tokens read the one secret, at run time', () => {
    const readers = functionsOf(query)
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.PAGE_TOKEN_SECRET_ID)
      .map(([id]) => id)
      .sort();
    expect(readers).toEqual([
      'ExportLambdaFunction',
      'HistoryLambdaFunction',
      'ListLambdaFunction',
    ]);
    for (const [id, fn] of functionsOf(query)) {
      const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
      const secretStatements = statementsOf(query, roleId).filter((s) =>
        s.Action.some((action) => action.startsWith('secretsmanager:')),
      );
      if (readers.includes(id)) {
        expect(secretStatements).toEqual([
          expect.objectContaining({
            Action: ['secretsmanager:GetSecretValue'],
            Resource: { Ref: 'PageTokenSecret' },
          }),
        ]);
        expect(fn.Properties.Environment.Variables.PAGE_TOKEN_SECRET_ID).toEqual({
          Ref: 'PageTokenSecret',
        });
      } else {
        expect([id, secretStatements]).toEqual([id, []]);
      }
    }
    for (const template of [command, commandProd]) {
      expect(JSON.stringify(template)).not.toContain('secretsmanager');
    }
  });
});

describe('personal data', () => {
  it('keeps data keys in a table without stream, restorable for keyRecoveryWindowDays, wrapped by a rotated KMS key', () => {
    const table = command.Resources.DataKeysTable as Resource;
    expect(table.Properties.StreamSpecification).toBeUndefined();
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
      RecoveryPeriodInDays: 7,
    });
    expect(table.DeletionPolicy).toBe('Retain');
    expect(command.Resources.DataKeysKmsKey).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
    expect(command.Resources.DataKeysKmsKeyAlias?.Properties.AliasName).toBe('alias/users-dev');
  });

  it('lets the projector and the export read and unwrap keys, never make or delete one; no other query route touches them', () => {
    for (const [id] of ofType(query, 'AWS::Lambda::Function')) {
      const roleId = (query.Resources[id] as Resource).Properties.Role['Fn::GetAtt'][0] as string;
      const statements = statementsOf(query, roleId);
      const onKeys = statements.filter((s) => JSON.stringify(s.Resource).includes('DataKeys'));
      const kms = actionsOn(statements, 'kms');
      if (id === 'ProjectorLambdaFunction' || id === 'ExportLambdaFunction') {
        expect(onKeys.flatMap((s) => s.Action)).toEqual(['dynamodb:GetItem', 'kms:Decrypt']);
        expect(kms).toEqual(['kms:Decrypt']);
      } else {
        expect([id, onKeys, kms]).toEqual([id, [], []]);
      }
    }
  });
});

describe('removing a stage and deploying it again (docs/deploy.md)', () => {
  // Only AWS knows these two: the script takes them from the operator (docs/deploy.md says how).
  const ids = { kmsKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', userPoolId: 'us-east-1_Example' };
  const kept = (template: Template) =>
    retainedResources(template)
      .map(([id]) => id)
      .sort();
  const json = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));

  it('keeps every resource that holds the data or opens it: the tables, the KMS key and its alias, the accounts', () => {
    const commandKeeps = [
      'AdminGroup',
      'DataKeysKmsKey',
      'DataKeysKmsKeyAlias',
      'DataKeysTable',
      'ErasureReceiptsTable',
      'ErasureScheduleGroup',
      'EventsTable',
      'PendingErasuresTable',
      'UserPool',
    ];
    expect(kept(command)).toEqual(commandKeeps);
    expect(kept(commandProd)).toEqual(commandKeeps);
    expect(command.Resources.DataKeysKmsKeyAlias).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(kept(query)).toEqual(['ExportsTable', 'ProjectionsTable']);
    expect(kept(stats)).toEqual([]);
  });

  it('hands them to the next deploy of the stage: imported beside its deployment bucket, then `serverless deploy`', () => {
    const [commandDir] = outputs as [string];
    const stack = '--region us-east-1 --stack-name users-command-dev';
    const changeSet = `${stack} --change-set-name adopt-retained`;
    expect(adoptionSteps([commandDir], ids, [])).toEqual([
      `aws cloudformation create-stack ${stack} --template-body file://${commandDir}/cloudformation-template-create-stack.json`,
      `aws cloudformation wait stack-create-complete ${stack}`,
      `aws cloudformation create-change-set ${changeSet} --change-set-type IMPORT --template-body file://${commandDir}/adopt-template.json --resources-to-import file://${commandDir}/adopt-resources.json`,
      `aws cloudformation wait change-set-create-complete ${changeSet}`,
      `aws cloudformation execute-change-set ${changeSet}`,
      `aws cloudformation wait stack-import-complete ${stack}`,
    ]);
    const core: Template = json(commandDir, 'cloudformation-template-create-stack.json');
    const adopted: Template = json(commandDir, 'adopt-template.json');
    expect(adopted).toEqual({
      ...core,
      Resources: {
        ...core.Resources,
        ...Object.fromEntries(kept(command).map((id) => [id, command.Resources[id]])),
      },
    });
    expect(json(commandDir, 'adopt-resources.json')).toEqual(
      expect.arrayContaining([
        {
          ResourceType: 'AWS::DynamoDB::Table',
          LogicalResourceId: 'EventsTable',
          ResourceIdentifier: { TableName: 'users-dev-events' },
        },
        {
          ResourceType: 'AWS::DynamoDB::Table',
          LogicalResourceId: 'DataKeysTable',
          ResourceIdentifier: { TableName: 'users-dev-data-keys' },
        },
        {
          ResourceType: 'AWS::DynamoDB::Table',
          LogicalResourceId: 'PendingErasuresTable',
          ResourceIdentifier: { TableName: 'users-dev-pending-erasures' },
        },
        {
          ResourceType: 'AWS::KMS::Key',
          LogicalResourceId: 'DataKeysKmsKey',
          ResourceIdentifier: { KeyId: ids.kmsKeyId },
        },
        {
          ResourceType: 'AWS::KMS::Alias',
          LogicalResourceId: 'DataKeysKmsKeyAlias',
          ResourceIdentifier: { AliasName: 'alias/users-dev' },
        },
        {
          ResourceType: 'AWS::Cognito::UserPool',
          LogicalResourceId: 'UserPool',
          ResourceIdentifier: { UserPoolId: ids.userPoolId },
        },
        {
          ResourceType: 'AWS::Cognito::UserPoolGroup',
          LogicalResourceId: 'AdminGroup',
          ResourceIdentifier: { UserPoolId: ids.userPoolId, GroupName: 'admin' },
        },
      ]),
    );
    expect(json(commandDir, 'adopt-resources.json')).toHaveLength(9);
    // The CLI takes a template body up to 51,200 bytes.
    expect(statSync(join(commandDir, 'adopt-template.json')).size).toBeLessThan(51_200);
    if (cfnLint) {
      expect(lintFindings([join(commandDir, 'adopt-template.json')])).toEqual({
        output: '',
        status: 0,
      });
    }
  });

  it("adopts the query stack's registry and export log the same way, and nothing of a stack that keeps nothing", () => {
    const queryDir = outputs[1] as string;
    expect(adoptionSteps([queryDir], {}, [])).toHaveLength(6);
    expect(json(queryDir, 'adopt-resources.json')).toEqual([
      {
        ResourceType: 'AWS::DynamoDB::Table',
        LogicalResourceId: 'ProjectionsTable',
        ResourceIdentifier: { TableName: 'users-dev-projections' },
      },
      {
        ResourceType: 'AWS::DynamoDB::Table',
        LogicalResourceId: 'ExportsTable',
        ResourceIdentifier: { TableName: 'users-dev-exports' },
      },
    ]);
    expect(adoptionSteps([outputs[4] as string], {}, [])).toEqual([]);
    // A whole stage, in deploy order.
    const stage = adoptionSteps([outputs[0], queryDir, outputs[4]] as string[], ids, []);
    expect(stage.filter((step) => step.startsWith('aws cloudformation create-stack'))).toEqual([
      expect.stringContaining('--stack-name users-command-dev '),
      expect.stringContaining('--stack-name users-query-dev '),
    ]);
  });

  it('refuses without the ids only AWS knows, or to leave out what the stage does not keep or what another needs', () => {
    const [commandDir] = outputs as [string];
    expect(() => adoptionSteps([commandDir], { userPoolId: ids.userPoolId }, [])).toThrow(
      /--kms-key-id/,
    );
    expect(() => adoptionSteps([commandDir], { kmsKeyId: ids.kmsKeyId }, [])).toThrow(
      /--user-pool-id/,
    );
    expect(() => adoptionSteps([commandDir], ids, ['UserPoolClient'])).toThrow(
      /does not keep UserPoolClient/,
    );
    // An alias removed by an older release (it kept only the key) is created again instead.
    expect(adoptionSteps([commandDir], ids, ['DataKeysKmsKeyAlias'])).toHaveLength(6);
    expect(json(commandDir, 'adopt-resources.json')).toHaveLength(8);
    expect(() => adoptionSteps([commandDir], ids, ['DataKeysKmsKey'])).toThrow(
      /DataKeysKmsKeyAlias refers to DataKeysKmsKey/,
    );
  });

  it('deletes what a throwaway stage keeps (the restore drill), never what is protected from deletion', () => {
    const [commandDir, , commandProdDir] = outputs as [string, string, string];
    const region = '--region us-east-1';
    expect(deletionSteps([commandDir], ids).sort()).toEqual(
      [
        `aws dynamodb delete-table ${region} --table-name users-dev-events`,
        `aws dynamodb delete-table ${region} --table-name users-dev-data-keys`,
        `aws dynamodb delete-table ${region} --table-name users-dev-erasure-receipts`,
        `aws dynamodb delete-table ${region} --table-name users-dev-pending-erasures`,
        `aws scheduler delete-schedule-group ${region} --name users-dev-erasures`,
        `aws kms delete-alias ${region} --alias-name alias/users-dev`,
        `aws kms schedule-key-deletion ${region} --key-id ${ids.kmsKeyId} --pending-window-in-days 7`,
        // Its groups go with it.
        `aws cognito-idp delete-user-pool ${region} --user-pool-id ${ids.userPoolId}`,
      ].sort(),
    );
    expect(() => deletionSteps([commandProdDir], ids)).toThrow(/deletionProtection/);
  });
});

describe('docs/deploy.md', () => {
  const text = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
  /** The rows of the table in a section, each as its cells without backticks. */
  const tableIn = (section: string) =>
    (text.split(`\n## ${section}\n`)[1]?.split('\n## ')[0] ?? '')
      .split('\n')
      .filter((line) => line.startsWith('| '))
      .slice(2)
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.replaceAll('`', '').trim()),
      );
  const asDocumented = (name: string) => name.replaceAll('-dev-', '-<stage>-');

  it("lists exactly the stacks' exports, and which stacks import each", () => {
    const exported = [command, query, stats].flatMap((template) =>
      Object.values(template.Outputs ?? {}).flatMap((output) =>
        output.Export ? [output.Export.Name] : [],
      ),
    );
    // Serverless's own (its deployment bucket, function versions, the API's URL) are named apart.
    const own = exported.filter((name) => !/^sls-users-(command|query|stats)-dev-/.test(name));
    const importers = (name: string) =>
      Object.entries({ query, stats })
        .filter(([, template]) => JSON.stringify(template).includes(`"${name}"`))
        .map(([service]) => service)
        .join(', ') || '(other teams)';
    expect(
      tableIn('What the stacks export')
        .map(([name, , importedBy]) => [name, importedBy])
        .sort(),
    ).toEqual(own.map((name) => [asDocumented(name), importers(name)]).sort());
  });

  it('lists exactly what each role may do', () => {
    const documentedName = (resource: unknown) =>
      asDocumented(
        resourceName(resource)
          .replace(/^\{"(?:Ref|Fn::ImportValue)":"(.+)"\}$/, '$1')
          .replace(/^.*table\//, ''),
      );
    const granted = [command, query, stats].flatMap((template) =>
      ofType(template, 'AWS::Lambda::Function').flatMap(([id]) =>
        statementsOf(template, roleOf(template, id))
          .filter((s) => !s.Action.some((a) => a.startsWith('logs:') || a.startsWith('xray:')))
          .map((s) => [
            id.replace(/LambdaFunction$/, '').replace(/^./, (first) => first.toLowerCase()),
            resourcesOf(s).map(documentedName).join(', '),
            [...s.Action].sort().join(' '),
          ]),
      ),
    );
    expect(tableIn('Permissions').sort()).toEqual(granted.sort());
  });
});

describe('documentation and console', () => {
  const functions = (template: Template) =>
    ofType(template, 'AWS::Lambda::Function').map(([id]) => id);

  it('serves the documentation in every stage, and the console nowhere unless asked', () => {
    for (const template of [query, queryProd]) {
      expect(functions(template)).toContain('DocsLambdaFunction');
      expect(functions(template)).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/Console|Feed/)]),
      );
      expect(template.Resources.RecentEventsTable).toBeUndefined();
    }
    const docsRole = roleOf(query, 'DocsLambdaFunction');
    expect(
      statementsOf(query, docsRole)
        .flatMap((s) => s.Action)
        .filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:')),
    ).toEqual([]);
  });

  it('with `console: true`: public static files, and a feed for administrators behind the JWT authorizer', async () => {
    const { template, out } = await packageService('query-service', 'dev', ['console=true']);
    outputs.push(out);
    expect(functions(template)).toEqual(
      expect.arrayContaining(['ConsoleLambdaFunction', 'FeedLambdaFunction']),
    );
    expect(template.Resources.RecentEventsTable?.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'ExpiresAt',
      Enabled: true,
    });
    const route = (key: string) =>
      ofType(template, 'AWS::ApiGatewayV2::Route').find(
        ([, r]) => r.Properties.RouteKey === key,
      )?.[1];
    expect(route('GET /console/feed')?.Properties).toMatchObject({
      AuthorizationType: 'JWT',
      AuthorizerId: { 'Fn::ImportValue': 'users-command-dev-HttpApiAuthorizerId' },
    });
    expect(route('GET /console')?.Properties.AuthorizationType).toBeUndefined();
    const consoleRole = roleOf(template, 'ConsoleLambdaFunction');
    expect(
      statementsOf(template, consoleRole)
        .flatMap((s) => s.Action)
        .filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:')),
    ).toEqual([]);
    expect(
      actionsOn(statementsOf(template, roleOf(template, 'FeedLambdaFunction')), 'dynamodb'),
    ).toEqual(['dynamodb:Query']);
  }, 120_000);
});

describe('alarms', () => {
  it('warns when prod has no topic for its alarms, and only then', () => {
    expect(queryProdOutput).toMatch(/prod has no alarmTopicArn/);
    expect(queryDevOutput).not.toMatch(/alarmTopicArn/);
  });

  const alarmsOf = (template: Template) =>
    Object.fromEntries(
      ofType(template, 'AWS::CloudWatch::Alarm').map(([id, alarm]) => [id, alarm.Properties]),
    );
  const runbookSections = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('## '))
    .map((line) =>
      line
        .slice(3)
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    );

  it('watch what a person must act on: 5xx, latency, lag, failure queues, throttles', () => {
    expect(Object.keys(alarmsOf(command)).sort()).toEqual([
      'ApiLatencyAlarm',
      'ApiServerErrorsAlarm',
      'ErasureFailureQueueDepthAlarm',
      'ErasureSchedulesUnconfirmedAlarm',
      'ErasureSweepBehindAlarm',
      'ErasureSweepFailuresAlarm',
      'PublishLagAlarm',
      'PublisherFailureQueueDepthAlarm',
      'PublisherIteratorAgeAlarm',
      'WriteSideThrottlesAlarm',
    ]);
    expect(Object.keys(alarmsOf(query)).sort()).toEqual([
      'ErasureStepsNotRecordedAlarm',
      'HistoryRewriteFailuresAlarm',
      'ProjectionLagAlarm',
      'ProjectorFailureQueueDepthAlarm',
      'ProjectorIteratorAgeAlarm',
      'ReadSideThrottlesAlarm',
    ]);
    expect(Object.keys(alarmsOf(stats)).sort()).toEqual([
      'DeliveryLagAlarm',
      'RecorderFailureQueueDepthAlarm',
    ]);
    const api = alarmsOf(command);
    expect(api.ApiLatencyAlarm).toMatchObject({
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Threshold: 1000,
    });
    expect(api.ApiServerErrorsAlarm?.Metrics.at(-1)).toMatchObject({
      Expression: 'IF(requests >= 10, 100 * errors / requests, IF(errors >= 3, 100, 0))',
    });
    expect(alarmsOf(query).ProjectionLagAlarm).toMatchObject({
      Namespace: 'users-dev',
      MetricName: 'ProjectionLag',
      ExtendedStatistic: 'p99',
      Threshold: '60000',
    });
    expect(api.PublishLagAlarm).toMatchObject({ MetricName: 'PublishLag', Threshold: '60000' });
    // Receipts whose steps keep failing to be recorded: three periods running, not one throttle.
    expect(alarmsOf(query).ErasureStepsNotRecordedAlarm).toMatchObject({
      MetricName: 'ErasureStepsNotRecorded',
      Namespace: 'users-dev',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
    // An eraser run that fails before it can count its failures is a Lambda error: both alarm.
    const erasure = alarmsOf(query).HistoryRewriteFailuresAlarm;
    expect(erasure?.Metrics.map((m: { Id: string }) => m.Id)).toEqual([
      'failures',
      'errors',
      'failed',
    ]);
    expect(erasure?.Metrics[1]).toMatchObject({
      MetricStat: {
        Metric: {
          MetricName: 'Errors',
          Dimensions: [{ Value: { Ref: 'HistoryEraserLambdaFunction' } }],
        },
      },
    });
  });

  it('watch the erasure sweep, which alone carries out an erasure whose firing was lost', () => {
    // Behind, or not running: what it left, or a table not read to its end, two hours running;
    // no report at all is a sweep that did not run.
    expect(alarmsOf(command).ErasureSweepBehindAlarm).toMatchObject({
      EvaluationPeriods: 2,
      TreatMissingData: 'breaching',
      Metrics: [
        { MetricStat: { Metric: { MetricName: 'OverdueErasuresLeft' }, Period: 3600 } },
        { MetricStat: { Metric: { MetricName: 'ErasureSweepIncomplete' }, Period: 3600 } },
        { Expression: 'left + incomplete' },
      ],
    });
    // A schedule taken as made unconfirmed leaves its erasure to the sweep: an hour of them alarms.
    expect(alarmsOf(command).ErasureSchedulesUnconfirmedAlarm).toMatchObject({
      MetricName: 'ErasureSchedulesUnconfirmed',
      Namespace: 'users-dev',
      Dimensions: [{ Name: 'service', Value: 'command-service' }],
      Period: 3600,
      Threshold: 0,
    });
    const sweep = alarmsOf(command).ErasureSweepFailuresAlarm;
    expect(sweep?.Metrics.map((m: { Id: string }) => m.Id)).toEqual([
      'failures',
      'errors',
      'failed',
    ]);
    expect(sweep?.Metrics[0]).toMatchObject({
      MetricStat: { Metric: { Namespace: 'users-dev', MetricName: 'OverdueErasureFailures' } },
    });
    expect(sweep?.Metrics[1]).toMatchObject({
      MetricStat: {
        Metric: {
          MetricName: 'Errors',
          Dimensions: [{ Value: { Ref: 'ErasureSweepLambdaFunction' } }],
        },
      },
    });
  });

  it('each name the section of docs/operations.md that says what to do', () => {
    for (const template of [command, query, stats]) {
      for (const [id, alarm] of Object.entries(alarmsOf(template))) {
        const section = /Runbook - docs\/operations\.md#([a-z0-9-]+)$/.exec(alarm.AlarmDescription);
        expect([id, section?.[1] && runbookSections.includes(section[1])]).toEqual([id, true]);
      }
    }
  });

  it("notify the stage's alarm topic when it has one, and nobody otherwise (no empty action)", async () => {
    for (const alarm of Object.values(alarmsOf(command))) expect(alarm.AlarmActions).toEqual([]);
    const { template } = await statsVariant();
    for (const alarm of Object.values(alarmsOf(template))) {
      expect(alarm.AlarmActions).toEqual(['arn:aws:sns:us-east-1:123456789012:ops']);
    }
  }, 120_000);
});

describe('metrics, traces and the dashboard', () => {
  const functionsOf = (template: Template) => ofType(template, 'AWS::Lambda::Function');

  it('trace every function (X-Ray, active by default, a stage parameter) and let it send its segments', async () => {
    for (const template of [command, query, stats]) {
      for (const [id, fn] of functionsOf(template)) {
        expect([id, fn.Properties.TracingConfig]).toEqual([id, { Mode: 'Active' }]);
        expect([id, fn.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED]).toEqual([
          id,
          'true',
        ]);
        const tracing = statementsOf(template, roleOf(template, id)).filter((s) =>
          s.Action.some((a) => a.startsWith('xray:')),
        );
        expect([id, tracing.flatMap((s) => s.Action).sort()]).toEqual([
          id,
          ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
        ]);
      }
    }
    const { template } = await statsVariant();
    for (const [, fn] of functionsOf(template)) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'PassThrough' });
      expect(fn.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBe('true');
    }
    const off = await packageService('stats-service', 'tracing-off', ['tracing=Off']);
    outputs.push(off.out);
    for (const [, fn] of functionsOf(off.template)) {
      // Lambda samples nothing (no caller passes a sampled trace), and the Tracer is never loaded.
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'PassThrough' });
      expect(fn.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBe('false');
    }
    // `--param tracing=false` (text) is refused before it becomes Mode "false": stage-checks.test.ts.
  }, 180_000);

  it("write metrics to the stage's namespace through the log (EMF): no metrics API permission", () => {
    for (const template of [command, query, stats]) {
      for (const [id, fn] of functionsOf(template)) {
        expect([id, fn.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE]).toEqual([
          id,
          'users-dev',
        ]);
        const actions = statementsOf(template, roleOf(template, id)).flatMap((s) => s.Action);
        expect(actions).toEqual(expect.arrayContaining(['logs:PutLogEvents']));
        expect(actions.filter((a) => a.startsWith('cloudwatch:'))).toEqual([]);
      }
    }
  });

  it('show one dashboard per stage: routes, commands, lags, iterator ages, queues, throttles, KMS', () => {
    const [[, dashboard]] = ofType(command, 'AWS::CloudWatch::Dashboard') as [[string, Resource]];
    expect(dashboard.Properties.DashboardName).toBe('users-dev');
    const body = JSON.parse(dashboard.Properties.DashboardBody['Fn::Sub']);
    const titles = body.widgets.map((w: { properties: { title: string } }) => w.properties.title);
    expect(titles).toEqual([
      'API latency per route (p50, p99), ms',
      'API 4xx and 5xx per route',
      'Commands by event type and outcome',
      'Refusals by code; lost races and idempotent replays',
      'Projection lag (event occurred to applied), ms',
      'Publish lag and stats delivery lag, ms',
      'Stream iterator age (projector, publisher), ms',
      'Failure queue depths',
      'Errors per function (an invocation that failed or timed out)',
      'Throttles: Lambda per function, DynamoDB per table',
      'Data keys: key-table reads and KMS calls, by operation',
      'Events applied, published, counted; batch failures',
      'Cold starts per function',
    ]);
    const text = dashboard.Properties.DashboardBody['Fn::Sub'] as string;
    for (const metric of [
      'MetricName=\\"Commands\\"',
      'MetricName=\\"Refusals\\"',
      '"ProjectionLag"',
      '"PublishLag"',
      '"DeliveryLag"',
      '"IteratorAge"',
      'MetricName=\\"DataKeyRequests\\"',
      'MetricName=\\"ColdStart\\"',
      '"Errors"',
      'users-query-dev-projector',
      'users-command-dev-publisher',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's reference, literally
      'ApiId=\\"${HttpApi}\\"',
      // An HTTP API's route metrics, under either schema AWS documents.
      '{AWS/ApiGateway,ApiId,Route,Stage}',
      '{AWS/ApiGateway,ApiId,Method,Resource,Stage}',
    ]) {
      expect(text).toContain(metric);
    }
    expect(
      (command.Resources.HttpApiStage as Resource).Properties.DefaultRouteSettings,
    ).toMatchObject({ DetailedMetricsEnabled: true });
  });
});

describe('cfn-lint', () => {
  // Installed on the team's machines and CI; a machine without it says so instead of passing.
  (cfnLint ? it : it.skip)(
    'finds no error and no unexplained warning in any packaged template',
    () => {
      expect(
        lintFindings(outputs.map((dir) => join(dir, 'cloudformation-template-update-stack.json'))),
      ).toEqual({ output: '', status: 0 });
    },
  );
  if (!cfnLint) console.warn('cfn-lint is not installed: the packaged templates were not linted');
});

describe('the whole app', () => {
  it('deploys the command service before the query and stats services', () => {
    const compose = parse(readFileSync(join(__dirname, 'serverless-compose.yml'), 'utf8'));
    expect(compose.services).toEqual({
      command: { path: '../services/command-service' },
      query: { path: '../services/query-service', dependsOn: 'command' },
      stats: { path: '../services/stats-service', dependsOn: 'command' },
    });
  });
});

describe('integration events', () => {
  it('go out on a bus the command stack owns and exports, archived for replays', () => {
    const [[busId, bus]] = ofType(command, 'AWS::Events::EventBus') as [[string, Resource]];
    expect(bus.Properties.Name).toBe('users-dev');
    const archives = ofType(command, 'AWS::Events::Archive').map(([, archive]) => archive);
    expect(archives.map((a) => a.Properties)).toEqual([
      expect.objectContaining({ SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] }, RetentionDays: 30 }),
    ]);
    expect(ofType(commandProd, 'AWS::Events::Archive')[0]?.[1].Properties.RetentionDays).toBe(365);
    expect(command.Outputs?.EventBusName?.Export?.Name).toBe('users-command-dev-EventBusName');
    expect(command.Outputs?.EventBusArn?.Export?.Name).toBe('users-command-dev-EventBusArn');
  });

  it('are published from the event stream with partial batch failures, retries for 6 hours and a failure queue with an alarm', () => {
    const mapping = ofType(command, 'AWS::Lambda::EventSourceMapping').find(([, m]) =>
      JSON.stringify(m.Properties.FunctionName).includes('Publisher'),
    )?.[1] as Resource;
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['EventsTable', 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      MaximumRetryAttempts: -1,
      MaximumRecordAgeInSeconds: 21600,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['PublisherFailureQueue', 'Arn'] } },
      },
    });
    const alarm = command.Resources.PublisherFailureQueueDepthAlarm as Resource;
    expect(alarm.Properties.Dimensions[0].Value).toEqual({
      'Fn::GetAtt': ['PublisherFailureQueue', 'QueueName'],
    });
  });

  it('may be put on the bus by the publisher only, on that bus only', () => {
    const publisher = roleOf(command, 'PublisherLambdaFunction');
    for (const template of [command, query, stats]) {
      for (const [roleId] of ofType(template, 'AWS::IAM::Role')) {
        const puts = statementsOf(template, roleId).filter((s) =>
          s.Action.some((a) => a.startsWith('events:')),
        );
        if (template === command && roleId === publisher) {
          expect(puts).toEqual([
            expect.objectContaining({
              Action: ['events:PutEvents'],
              Resource: { 'Fn::GetAtt': ['EventBus', 'Arn'] },
            }),
          ]);
        } else {
          expect([roleId, puts]).toEqual([roleId, []]);
        }
      }
    }
    // Besides the stream it reads (serverless adds the stream grants): nothing of the tables.
    expect(grantsOf(statementsOf(command, publisher))).toEqual([
      'ErasureReceiptsTable: dynamodb:UpdateItem',
      'EventBus: events:PutEvents',
      'EventsTable: dynamodb:DescribeStream dynamodb:GetRecords dynamodb:GetShardIterator dynamodb:ListStreams',
      'PublisherFailureQueue: sqs:SendMessage',
    ]);
  });

  it('reach the stats service through a rule on the imported bus, with retries and a failure queue', () => {
    const [[, rule]] = ofType(stats, 'AWS::Events::Rule') as [[string, Resource]];
    expect(rule.Properties.EventBusName).toEqual({
      'Fn::ImportValue': 'users-command-dev-EventBusName',
    });
    // Only what the recorder reads: a newer schema version or type never reaches it.
    expect(rule.Properties.EventPattern).toEqual({
      source: ['users'],
      'detail-type': [
        'user.registered',
        'user.balance-changed',
        'user.deleted',
        'user.erased',
        'user.erasure-requested',
        'user.erasure-cancelled',
      ],
      detail: { schema_version: [1] },
    });
    expect(rule.Properties.Targets[0]).toMatchObject({
      RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['RecorderFailureQueue', 'Arn'] } },
    });
    const [[, invokeConfig]] = ofType(stats, 'AWS::Lambda::EventInvokeConfig') as [
      [string, Resource],
    ];
    expect(invokeConfig.Properties).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['RecorderFailureQueue', 'Arn'] } },
      },
    });
    expect(JSON.stringify(stats.Resources.RecorderFailureQueuePolicy)).toContain(
      'events.amazonaws.com',
    );
    expect(stats.Resources.RecorderFailureQueueDepthAlarm).toBeDefined();
  });

  it('let EventBridge send to the failure queue only for the rules whose dead-letter queue it is', () => {
    const rules = ofType(stats, 'AWS::Events::Rule').map(([id]) => id);
    expect(rules).toHaveLength(1);
    const policy = stats.Resources.RecorderFailureQueuePolicy as Resource;
    expect(policy.Properties.Queues).toEqual([{ Ref: 'RecorderFailureQueue' }]);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': ['RecorderFailureQueue', 'Arn'] },
        Condition: {
          ArnEquals: { 'aws:SourceArn': rules.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })) },
        },
      },
    ]);
  });

  it('leave the stats service its own tables only, and its route behind the JWT authorizer', () => {
    expect(grantsOf(statementsOf(stats, roleOf(stats, 'StatsRecorderLambdaFunction')))).toEqual([
      'CountedEventsTable: dynamodb:PutItem',
      'RecorderFailureQueue: sqs:SendMessage',
      'StatsTable: dynamodb:UpdateItem',
    ]);
    expect(grantsOf(statementsOf(stats, roleOf(stats, 'StatsLambdaFunction')))).toEqual([
      'StatsTable: dynamodb:Query',
    ]);
    expect(stats.Resources.HttpApiRouteGetStats?.Properties).toMatchObject({
      AuthorizationType: 'JWT',
      AuthorizerId: { 'Fn::ImportValue': 'users-command-dev-HttpApiAuthorizerId' },
    });
    expect(ofType(stats, 'AWS::ApiGatewayV2::Api')).toEqual([]);
  });
});
