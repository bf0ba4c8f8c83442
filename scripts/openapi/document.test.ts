import { Validator } from '@seriousme/openapi-schema-validator';
import document from '../../services/query-service/src/portal/openapi.generated.json';

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('documents every route, each header, and the statuses of every operation', () => {
    expect(Object.keys(document.paths).sort()).toEqual([
      '/asyncapi.json',
      '/command',
      '/console',
      '/console/feed',
      '/console/{asset}',
      '/detail',
      '/docs',
      '/docs/{asset}',
      '/erasures',
      '/erasures/{user_id}',
      '/export',
      '/history',
      '/list',
      '/openapi.json',
      '/stats',
    ]);
    const command = document.paths['/command'].post;
    expect(command.parameters.map((parameter) => parameter.name)).toEqual([
      'Idempotency-Key',
      'X-Correlation-Id',
    ]);
    expect(Object.keys(command.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '410',
      '413',
      '422',
      '429',
      '500',
      '502',
      '503',
      '504',
    ]);
    const receipt = document.paths['/erasures/{user_id}'].get;
    expect(receipt).toMatchObject({ operationId: 'getErasureReceipt', tags: ['personal data'] });
    expect(receipt.parameters).toEqual([
      expect.objectContaining({ name: 'user_id', in: 'path', required: true }),
    ]);
    expect(Object.keys(receipt.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '429',
      '500',
      '502',
      '503',
      '504',
    ]);
    // The same receipt with the user in the query: any user id, `/` included.
    const byQuery = document.paths['/erasures'].get;
    expect(byQuery).toMatchObject({ operationId: 'getErasureReceiptByQuery' });
    expect(byQuery.parameters).toEqual([
      expect.objectContaining({ name: 'user_id', in: 'query', required: true }),
    ]);
    expect(Object.keys(byQuery.responses)).toEqual(Object.keys(receipt.responses));
    expect(document.components.securitySchemes.bearer).toMatchObject({ scheme: 'bearer' });
  });
});
