import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { parse } from 'yaml';
import { runCommand } from '../scripts/local-stack/processes';

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
        // One bundle per function, AWS SDK included (tree-shaken): a budget against regressions.
        // The docs carry Swagger UI (1.5 MB), served from the bundle rather than a CDN.
        const budget = id === 'DocsLambdaFunction' ? 4 : 1;
        expect([id, (bundle?.header.size ?? 0) < budget * 512 * 1024]).toEqual([id, true]);
        expect(statSync(join(dir, artifact)).size).toBeLessThan(budget * 1024 * 1024);
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
  it('gives every function a role of its own, and no other role exists', () => {
    for (const template of [command, query, stats]) {
      const functions = ofType(template, 'AWS::Lambda::Function').map(([id]) => id);
      const roles = functions.map((id) => roleOf(template, id));
      expect(new Set(roles).size).toBe(functions.length);
      expect(
        ofType(template, 'AWS::IAM::Role')
          .map(([id]) => id)
          .sort(),
      ).toEqual([...roles].sort());
    }
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
    // A keyed transaction checks the previous release's unscoped record (a ConditionCheck).
    expect(byTable('"IdempotencyTable"')).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    ]);
    expect(byTable('"DataKeysTable"')).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    ]);
    expect(actionsOn(statements, 'dynamodb')).toHaveLength(9);
    expect(statements.filter((s) => s.Action.some((a) => a.startsWith('kms:')))).toEqual([
      expect.objectContaining({
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::GetAtt': ['DataKeysKmsKey', 'Arn'] },
      }),
    ]);
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
      'ProjectionsTable: dynamodb:BatchGetItem dynamodb:ConditionCheckItem dynamodb:UpdateItem',
      'ProjectorFailureQueue: sqs:SendMessage',
      'UserDetailTable: dynamodb:BatchGetItem dynamodb:GetItem dynamodb:PutItem dynamodb:UpdateItem',
      'UserHistoryTable: dynamodb:BatchWriteItem dynamodb:Query',
      'arn:{"Ref":"AWS::Partition"}:dynamodb:{"Ref":"AWS::Region"}:{"Ref":"AWS::AccountId"}:table/users-dev-recent-events: dynamodb:BatchWriteItem',
      'table/users-dev-user-detail-v*: dynamodb:BatchGetItem dynamodb:GetItem dynamodb:PutItem dynamodb:UpdateItem',
      'table/users-dev-user-history-v*: dynamodb:BatchWriteItem dynamodb:Query',
      '{"Fn::ImportValue":"users-command-dev-DataKeysKmsKeyArn"}: kms:Decrypt',
      '{"Fn::ImportValue":"users-command-dev-DataKeysTableArn"}: dynamodb:GetItem',
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
      'ProjectionsTable: dynamodb:BatchGetItem',
      'UserDetailTable/index/PendingErasures: dynamodb:Query',
      'UserDetailTable: dynamodb:GetItem dynamodb:UpdateItem',
      'UserHistoryTable: dynamodb:BatchWriteItem dynamodb:Query',
      'table/users-dev-user-detail-v*/index/PendingErasures: dynamodb:Query',
      'table/users-dev-user-detail-v*: dynamodb:GetItem dynamodb:UpdateItem',
      'table/users-dev-user-history-v*: dynamodb:BatchWriteItem dynamodb:Query',
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
    const { template, out } = await packageService('command-service', 'capacity', [
      'billingMode=PROVISIONED',
      'readCapacity=7',
      'writeCapacity=9',
    ]);
    outputs.push(out);
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
      ['GET /detail', 'GET /history', 'GET /list', 'POST /command'].flatMap((r) => [r, r]).sort(),
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

  it('refuses to package a stage with an issuer but no audience, or the reverse', async () => {
    for (const param of ['jwtIssuer=https://issuer.example.com/', 'jwtAudience=users-api']) {
      await expect(packageService('command-service', 'half', [param])).rejects.toThrow(
        /set both to use your own identity provider/,
      );
    }
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
    expect(readers).toEqual(['HistoryLambdaFunction', 'ListLambdaFunction']);
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

  it('lets the projector read and unwrap keys, never make or delete one; no query route touches them', () => {
    for (const [id] of ofType(query, 'AWS::Lambda::Function')) {
      const roleId = (query.Resources[id] as Resource).Properties.Role['Fn::GetAtt'][0] as string;
      const statements = statementsOf(query, roleId);
      const onKeys = statements.filter((s) => JSON.stringify(s.Resource).includes('DataKeys'));
      const kms = actionsOn(statements, 'kms');
      if (id === 'ProjectorLambdaFunction') {
        expect(onKeys.flatMap((s) => s.Action)).toEqual(['dynamodb:GetItem', 'kms:Decrypt']);
        expect(kms).toEqual(['kms:Decrypt']);
      } else {
        expect([id, onKeys, kms]).toEqual([id, [], []]);
      }
    }
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
      'PublishLagAlarm',
      'PublisherFailureQueueDepthAlarm',
      'PublisherIteratorAgeAlarm',
      'WriteSideThrottlesAlarm',
    ]);
    expect(Object.keys(alarmsOf(query)).sort()).toEqual([
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
    const { template, out } = await packageService('stats-service', 'topic', [
      'alarmTopicArn=arn:aws:sns:us-east-1:123456789012:ops',
    ]);
    outputs.push(out);
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
    const { template, out } = await packageService('stats-service', 'passthrough', [
      'tracing=PassThrough',
    ]);
    outputs.push(out);
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
    // `--param tracing=false` arrives as a string: refused before it becomes Mode "false".
    await expect(packageService('stats-service', 'untraced', ['tracing=false'])).rejects.toThrow(
      /tracing must be Active, PassThrough or Off/,
    );
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
  const cfnLint = spawnSync('cfn-lint', ['--version']).status === 0;
  // Installed on the team's machines and CI; a machine without it says so instead of passing.
  (cfnLint ? it : it.skip)(
    'finds no error and no unexplained warning in any packaged template',
    () => {
      const templates = outputs.map((dir) =>
        join(dir, 'cloudformation-template-update-stack.json'),
      );
      const run = spawnSync('cfn-lint', templates, { cwd: ROOT, encoding: 'utf8' });
      expect(run.stdout + run.stderr).toBe('');
      expect(run.status).toBe(0);
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
    expect(rule.Properties.EventPattern).toEqual({
      source: ['users'],
      'detail-type': [{ prefix: 'user.' }],
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
