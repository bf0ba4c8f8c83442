/** A schedule's target as CreateSchedule takes it (a Lambda function, locally). */
export type ScheduleTarget = {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
};

/** A one-time schedule as kept (and saved): what CreateSchedule was given, and what became of it. */
export type StoredSchedule = {
  name: string;
  group: string;
  arn: string;
  expression: string;
  timezone?: string;
  /** When it is due, in milliseconds since the epoch (UTC). */
  time: number;
  functionName: string;
  target: ScheduleTarget;
  flexibleTimeWindow: { Mode: string; MaximumWindowInMinutes?: number };
  actionAfterCompletion: 'NONE' | 'DELETE';
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  created: number;
  /** When it fired, for a schedule kept after firing (ActionAfterCompletion NONE). */
  firedAt?: number;
};

const STATUS = { ValidationException: 400, ResourceNotFoundException: 404, ConflictException: 409 };

/** An error EventBridge Scheduler answers with: its type (x-amzn-errortype) sets the status. */
export class SchedulerError extends Error {
  readonly type: keyof typeof STATUS;
  constructor(type: keyof typeof STATUS, message: string) {
    super(message);
    this.type = type;
  }
  get status() {
    return STATUS[this.type];
  }
}

const invalid = (message: string) => new SchedulerError('ValidationException', message);

const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;
const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
/** A function's ARN, maybe qualified (an alias or a version): the name is what is invoked. */
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([a-zA-Z0-9-_]+)(:[\w$-]+)?$/;
const SQS_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]+(\.fifo)?$/;

/** The time of an `at(yyyy-mm-ddThh:mm:ss)` expression, in UTC; only those are played locally. */
export const timeOf = (expression: unknown) => {
  const at = AT.exec(String(expression))?.[1];
  const time = at ? Date.parse(`${at}Z`) : Number.NaN;
  if (!at || Number.isNaN(time) || new Date(time).toISOString().slice(0, 19) !== at) {
    throw invalid(
      `Invalid Schedule Expression ${expression}: locally only at(yyyy-mm-ddThh:mm:ss)`,
    );
  }
  return time;
};

/** The ISO 8601 form EventBridge Scheduler gives times in context attributes: whole seconds. */
export const isoSeconds = (time: number) => `${new Date(time).toISOString().slice(0, 19)}Z`;

/** The Input text with the scheduler's context attributes (`<aws.scheduler.…>`) filled in. */
export const withContext = (input: string, attributes: Record<string, string>) =>
  input.replace(/<aws\.scheduler\.([a-z-]+)>/g, (whole, key: string) => attributes[key] ?? whole);

const inRange = (value: unknown, low: number, high: number) =>
  value === undefined || (Number.isInteger(value) && Number(value) >= low && Number(value) <= high);

/** The stored schedule CreateSchedule's request makes, or the ValidationException it gets. */
export const scheduleOf = (name: string, body: Record<string, unknown>, now: number) => {
  const group = String(body.GroupName ?? 'default');
  if (!NAME.test(name) || !NAME.test(group)) {
    throw invalid('Name and GroupName must be 1 to 64 of [0-9a-zA-Z-_.]');
  }
  const time = timeOf(body.ScheduleExpression);
  const timezone = body.ScheduleExpressionTimezone as string | undefined;
  if (timezone !== undefined && timezone !== 'UTC') {
    throw invalid(`ScheduleExpressionTimezone ${timezone}: locally only UTC`);
  }
  const window = body.FlexibleTimeWindow as StoredSchedule['flexibleTimeWindow'] | undefined;
  if (window?.Mode !== 'OFF' && window?.Mode !== 'FLEXIBLE') {
    throw invalid('FlexibleTimeWindow.Mode must be OFF or FLEXIBLE');
  }
  const target = body.Target as ScheduleTarget | undefined;
  const functionName = LAMBDA_ARN.exec(String(target?.Arn))?.[1];
  if (!target || !functionName || !target.RoleArn) {
    throw invalid('Target needs the Arn of a Lambda function (locally) and a RoleArn');
  }
  const retry = target.RetryPolicy ?? {};
  if (
    !inRange(retry.MaximumRetryAttempts, 0, 185) ||
    !inRange(retry.MaximumEventAgeInSeconds, 60, 86_400)
  ) {
    throw invalid(
      'RetryPolicy: MaximumRetryAttempts 0 to 185, MaximumEventAgeInSeconds 60 to 86400',
    );
  }
  if (target.DeadLetterConfig && !SQS_ARN.test(String(target.DeadLetterConfig.Arn))) {
    throw invalid('DeadLetterConfig.Arn must be the ARN of an SQS queue');
  }
  try {
    const sample = { 'attempt-number': '1', 'execution-id': 'x', 'scheduled-time': 'x' };
    JSON.parse(withContext(target.Input ?? '{}', { ...sample, 'schedule-arn': 'x' }));
  } catch {
    throw invalid('Target.Input must be JSON text (context attributes filled in)');
  }
  const action = body.ActionAfterCompletion ?? 'NONE';
  const state = body.State ?? 'ENABLED';
  if ((action !== 'NONE' && action !== 'DELETE') || (state !== 'ENABLED' && state !== 'DISABLED')) {
    throw invalid('ActionAfterCompletion must be NONE or DELETE, State ENABLED or DISABLED');
  }
  const token = body.ClientToken;
  if (token !== undefined && !/^[a-zA-Z0-9-_]{1,64}$/.test(String(token))) {
    throw invalid('ClientToken must be 1 to 64 of [a-zA-Z0-9-_]');
  }
  const schedule: StoredSchedule = {
    name,
    group,
    arn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${group}/${name}`,
    expression: String(body.ScheduleExpression),
    timezone,
    time,
    functionName,
    target,
    flexibleTimeWindow: window,
    actionAfterCompletion: action,
    state,
    description: body.Description as string | undefined,
    created: now,
  };
  return schedule;
};

/** GetSchedule's answer (dates in epoch seconds, as REST-JSON has them). */
export const scheduleView = (schedule: StoredSchedule) => ({
  Arn: schedule.arn,
  GroupName: schedule.group,
  Name: schedule.name,
  ScheduleExpression: schedule.expression,
  ScheduleExpressionTimezone: schedule.timezone,
  State: schedule.state,
  Description: schedule.description,
  CreationDate: schedule.created / 1000,
  LastModificationDate: schedule.created / 1000,
  Target: schedule.target,
  FlexibleTimeWindow: schedule.flexibleTimeWindow,
  ActionAfterCompletion: schedule.actionAfterCompletion,
});
