'use strict';

/**
 * The stage's one CloudWatch dashboard (docs/operations.md), built when the command service is
 * packaged: it owns the HTTP API and the event stream, and the other services' functions and
 * metrics are found by their names, which the stage fixes. Custom metrics come from the functions'
 * Powertools Metrics (namespace users-<stage>, dimension `service`).
 */
module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const namespace = `users-${stage}`;
  const fn = (service, name) => `users-${service}-${stage}-${name}`;
  const streamReaders = [fn('query', 'projector'), fn('command', 'publisher')];
  const functions = [
    fn('command', 'command'),
    fn('command', 'publisher'),
    fn('query', 'projector'),
    fn('query', 'historyEraser'),
    fn('query', 'list'),
    fn('query', 'detail'),
    fn('query', 'history'),
    fn('stats', 'statsRecorder'),
    fn('stats', 'stats'),
  ];
  // AWS documents an HTTP API's route metrics both by Route and by Method and Resource (its pages
  // disagree): the widgets search both schemas, so whichever the API writes shows.
  const api = (metric, stat, label) =>
    ['ApiId,Route,Stage', 'ApiId,Method,Resource,Stage'].map((schema) => ({
      expression: `SEARCH('{AWS/ApiGateway,${schema}} ApiId="\${HttpApi}" MetricName="${metric}"', '${stat}', 60)`,
      label,
    }));
  const custom = (dimensions, metric, stat) =>
    `SEARCH('{${namespace},${dimensions}} MetricName="${metric}"', '${stat}', 60)`;
  const perFunction = (metric, stat) =>
    functions.map((name) => ['AWS/Lambda', metric, 'FunctionName', name, { stat }]);
  const lag = (service, metric) =>
    ['p50', 'p99'].map((stat) => [namespace, metric, 'service', service, { stat, label: stat }]);

  const widget = (title, properties) => ({
    type: 'metric',
    width: 12,
    height: 6,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's reference, literally
    properties: { title, region: '${AWS::Region}', period: 60, view: 'timeSeries', ...properties },
  });
  const expressions = (...list) =>
    list.map(({ expression, label }, i) => [{ expression, label, id: `e${i}` }]);

  const widgets = [
    widget('API latency per route (p50, p99), ms', {
      metrics: expressions(...api('Latency', 'p50', 'p50'), ...api('Latency', 'p99', 'p99')),
    }),
    widget('API 4xx and 5xx per route', {
      metrics: expressions(...api('4xx', 'Sum', '4xx'), ...api('5xx', 'Sum', '5xx')),
      stat: 'Sum',
    }),
    widget('Commands by event type and outcome', {
      metrics: expressions({
        expression: custom('service,EventType,Outcome', 'Commands', 'Sum'),
        label: '',
      }),
    }),
    widget('Refusals by code; lost races and idempotent replays', {
      metrics: [
        ...expressions({ expression: custom('service,Code', 'Refusals', 'Sum'), label: '' }),
        [namespace, 'LostRaces', 'service', 'command-service', { stat: 'Sum' }],
        [namespace, 'IdempotentReplays', 'service', 'command-service', { stat: 'Sum' }],
      ],
    }),
    widget('Projection lag (event occurred to applied), ms', {
      metrics: lag('query-service', 'ProjectionLag'),
    }),
    widget('Publish lag and stats delivery lag, ms', {
      metrics: [...lag('command-service', 'PublishLag'), ...lag('stats-service', 'DeliveryLag')],
    }),
    widget('Stream iterator age (projector, publisher), ms', {
      metrics: streamReaders.map((name) => [
        'AWS/Lambda',
        'IteratorAge',
        'FunctionName',
        name,
        { stat: 'Maximum' },
      ]),
    }),
    widget('Failure queue depths', {
      metrics: expressions({
        expression: `SEARCH('{AWS/SQS,QueueName} MetricName="ApproximateNumberOfMessagesVisible" users ${stage} FailureQueue', 'Maximum', 60)`,
        label: '',
      }),
    }),
    widget('Errors per function (an invocation that failed or timed out)', {
      metrics: perFunction('Errors', 'Sum'),
      stat: 'Sum',
    }),
    widget('Throttles: Lambda per function, DynamoDB per table', {
      metrics: [
        ...perFunction('Throttles', 'Sum'),
        ...expressions(
          {
            expression: `SEARCH('{AWS/DynamoDB,TableName} MetricName="WriteThrottleEvents" users-${stage}', 'Sum', 60)`,
            label: 'write',
          },
          {
            expression: `SEARCH('{AWS/DynamoDB,TableName} MetricName="ReadThrottleEvents" users-${stage}', 'Sum', 60)`,
            label: 'read',
          },
        ),
      ],
    }),
    widget('Data keys: key-table reads and KMS calls, by operation', {
      metrics: expressions({
        expression: custom('service,Operation', 'DataKeyRequests', 'Sum'),
        label: '',
      }),
    }),
    widget('Events applied, published, counted; batch failures', {
      metrics: [
        [namespace, 'EventsApplied', 'service', 'query-service', { stat: 'Sum' }],
        [namespace, 'BatchFailures', 'service', 'query-service', { stat: 'Sum' }],
        [namespace, 'EventsPublished', 'service', 'command-service', { stat: 'Sum' }],
        [namespace, 'PublishFailures', 'service', 'command-service', { stat: 'Sum' }],
        [namespace, 'EventsCounted', 'service', 'stats-service', { stat: 'Sum' }],
      ],
    }),
    widget('Cold starts per function', {
      metrics: expressions({
        expression: custom('function_name,service', 'ColdStart', 'Sum'),
        label: '',
      }),
    }),
  ];
  return {
    Type: 'AWS::CloudWatch::Dashboard',
    Properties: {
      DashboardName: `users-${stage}`,
      DashboardBody: { 'Fn::Sub': JSON.stringify({ widgets }) },
    },
  };
};
