/**
 * The stage parameters each service refuses before anything is packaged, on the modules
 * themselves (templates.int.test.ts packages one refusal of each through serverless).
 */
const StageChecks = require('./stage-checks.cjs') as new (
  serverless: object,
  options: object,
  utils: { log: { warning: (text: string) => void } },
) => { hooks: Record<string, () => Promise<void>> };
const stageValues = require('./stage-values.cjs') as (context: {
  resolveVariable: (name: string) => Promise<unknown>;
}) => Promise<Record<string, unknown>>;

class FrameworkError extends Error {}

/** The checks' hook, run for a stage whose service declares `params`. */
const check = async (params: Record<string, string>, stage = 'dev', alarms = false) => {
  const warnings: string[] = [];
  const serverless = {
    service: {
      custom: { checkedParams: params },
      provider: { stage },
      resources: { Resources: alarms ? { Alarm: { Type: 'AWS::CloudWatch::Alarm' } } : {} },
    },
    classes: { Error: FrameworkError },
  };
  const checks = new StageChecks(serverless, {}, { log: { warning: (w) => warnings.push(w) } });
  await checks.hooks['before:package:initialize']?.();
  return warnings;
};

const DEFAULTS = { jwtIssuer: '', jwtAudience: '', erasureGraceDays: '30', alarmTopicArn: '' };

describe('the stage checks (before packaging)', () => {
  it.each([[{ jwtIssuer: 'https://issuer.example.com/' }], [{ jwtAudience: 'users-api' }]])(
    'refuse half an identity provider: %o',
    async (half) => {
      await expect(check({ ...DEFAULTS, ...half })).rejects.toThrow(
        /set both to use your own identity provider/,
      );
    },
  );

  it.each(['-1', 'forever', '4000', '', ' ', '0.0001'])(
    'refuse an erasure grace period of "%s"',
    async (days) => {
      await expect(check({ ...DEFAULTS, erasureGraceDays: days })).rejects.toThrow(
        /erasureGraceDays .* must be a number of days from 0/,
      );
    },
  );

  it.each(['0', '0.0007', '30', '3650'])('take an erasure grace period of "%s"', async (days) => {
    await expect(check({ ...DEFAULTS, erasureGraceDays: days })).resolves.toEqual([]);
  });

  it('take no grace period where the service declares none, and both halves of a provider', async () => {
    await expect(check({ jwtIssuer: 'https://i.example.com/', jwtAudience: 'a' })).resolves.toEqual(
      [],
    );
  });

  it('warn of prod alarms that notify nobody, and only there', async () => {
    expect(await check(DEFAULTS, 'prod', true)).toEqual([expect.stringMatching(/alarmTopicArn/)]);
    expect(await check(DEFAULTS, 'dev', true)).toEqual([]);
    expect(await check({ ...DEFAULTS, alarmTopicArn: 'arn:aws:sns:x' }, 'prod', true)).toEqual([]);
  });
});

describe('the stage values (as serverless.yml resolves them)', () => {
  const PARAMS = {
    alarmTopicArn: '',
    billingMode: 'PAY_PER_REQUEST',
    jwtIssuer: '',
    jwtAudience: '',
    deletionProtection: false,
    tracing: 'Active',
    readCapacity: '1',
    writeCapacity: '1',
  };
  const values = (params: Partial<typeof PARAMS> | Record<string, unknown>) =>
    stageValues({
      resolveVariable: async (name) =>
        ({ ...PARAMS, ...params })[name.replace(/^param:/, '') as keyof typeof PARAMS],
    });

  it.each(['yes', 'TRUE', '', '1'])('refuse deletionProtection "%s"', async (flag) => {
    await expect(values({ deletionProtection: flag })).rejects.toThrow(
      /deletionProtection must be true or false/,
    );
  });

  it.each(['false', 'active', '', 'on'])('refuse tracing "%s"', async (tracing) => {
    await expect(values({ tracing })).rejects.toThrow(/tracing must be Active, PassThrough or Off/);
  });

  it('take deletionProtection as a boolean (params.yml) or as text (--param)', async () => {
    expect(await values({ deletionProtection: true })).toMatchObject({
      userPoolDeletionProtection: 'ACTIVE',
    });
    expect(await values({ deletionProtection: 'false' })).toMatchObject({
      userPoolDeletionProtection: 'INACTIVE',
    });
  });

  it('trace nothing with tracing Off: Lambda passes traces through, the Tracer is never loaded', async () => {
    expect(await values({ tracing: 'Off' })).toMatchObject({
      tracing: 'PassThrough',
      traceEnabled: 'false',
    });
    expect(await values({ tracing: 'Active' })).toMatchObject({
      tracing: 'Active',
      traceEnabled: 'true',
    });
  });
});
