/**
 * The projection versions a stage keeps, as serverless.yml resolves them (templates.int.test.ts
 * packages one refusal through serverless).
 */
const projectionVersions = require('./projection-versions.cjs') as (context: {
  resolveVariable: (name: string) => Promise<unknown>;
}) => Promise<{ resources: { Resources: Record<string, { Properties: { TableName: string } }> } }>;

const resolve = (versions: string) =>
  projectionVersions({
    resolveVariable: async (name) =>
      name === 'param:projectionVersions'
        ? versions
        : name.replace('self:custom.queryTables.', 't-'),
  });

describe('projectionVersions', () => {
  it.each(['2,1', '2', '1,1', '1,3,2', '1,x', '', '1,2.5', '0,1'])(
    'refuses "%s": 1 first, then later versions in order',
    async (versions) => {
      await expect(resolve(versions)).rejects.toThrow(
        /projectionVersions must list 1 and then later versions in order/,
      );
    },
  );

  it("gives each later version its own tables beside the first version's", async () => {
    expect((await resolve('1')).resources.Resources).toEqual({});
    const tables = (await resolve('1, 2,3')).resources.Resources;
    expect(Object.keys(tables)).toEqual([
      'UserDetailTableV2',
      'UserHistoryTableV2',
      'UserDetailTableV3',
      'UserHistoryTableV3',
    ]);
    expect(tables.UserHistoryTableV3?.Properties.TableName).toBe('t-history-v3');
  });
});
