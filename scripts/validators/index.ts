import { join } from 'node:path';
import { storedEventSchema } from '@users/shared/schemas';
import { commandRequestSchema } from '../../services/command-service/src/handlers/command/request-schema';
import { eraserInputSchema } from '../../services/command-service/src/handlers/scheduled-erasure/input-schema';
import {
  detailRequestSchema,
  erasureReceiptRequestSchema,
  exportRequestSchema,
  historyRequestSchema,
  listRequestSchema,
} from '../../services/query-service/src/http/query-schemas';
import { statsRequestSchema } from '../../services/stats-service/src/http/stats-schema';
import { exampleBody } from '../../shared/src/http/error-schema';
import { deliveredEventSchema } from '../../shared/src/integration/schemas';
import { asyncApiDocument } from '../asyncapi/document';
import { clientTypesSource } from '../openapi/client-types';
import { openApiDocument } from '../openapi/document';
import { validatorSource } from './compiler';

const ROOT = join(__dirname, '../..');

/** Every precompiled validator: the file it lives in, and the schemas it is compiled from. */
const VALIDATORS: { file: string; origin: string; schemas: Record<string, object> }[] = [
  {
    file: 'shared/src/events/stored-event.validators.generated.ts',
    origin: 'shared/src/events/schemas.ts',
    schemas: {
      validateStoredEventV1: storedEventSchema(1),
      // Schema 2 is checked as schema 3 of a schema-2 type (codec.ts): no validator of its own.
      validateStoredEventV3: storedEventSchema(3),
    },
  },
  {
    file: 'services/command-service/src/handlers/scheduled-erasure/input.validator.generated.ts',
    origin: 'services/command-service/src/handlers/scheduled-erasure/input-schema.ts',
    schemas: { validateEraserInput: eraserInputSchema },
  },
  {
    file: 'shared/src/integration/delivered-event.validator.generated.ts',
    origin: 'shared/src/integration/schemas.ts',
    schemas: { validateDeliveredEvent: deliveredEventSchema },
  },
  {
    file: 'services/stats-service/src/http/stats.validator.generated.ts',
    origin: 'services/stats-service/src/http/stats-schema.ts',
    schemas: { validateStatsRequest: statsRequestSchema },
  },
  {
    file: 'services/command-service/src/handlers/command/request.validator.generated.ts',
    origin: 'services/command-service/src/handlers/command/request-schema.ts',
    schemas: { validateCommandRequest: commandRequestSchema },
  },
  {
    file: 'services/query-service/src/http/query.validators.generated.ts',
    origin: 'services/query-service/src/http/query-schemas.ts',
    schemas: {
      validateListRequest: listRequestSchema,
      validateDetailRequest: detailRequestSchema,
      validateHistoryRequest: historyRequestSchema,
      validateExportRequest: exportRequestSchema,
      validateErasureReceiptRequest: erasureReceiptRequestSchema,
    },
  },
];

/** The answers the local stand-in for API Gateway gives: no token, a failed or timed-out function. */
const OFFLINE_ERRORS = ['UNAUTHORIZED', 'FUNCTION_FAILED', 'FUNCTION_TIMEOUT'] as const;

/**
 * Every file `npm run generate` writes from the schemas: validators, OpenAPI and AsyncAPI
 * documents, the HTTP client's types, and the local stand-in's error answers.
 */
export const generatedFiles = (): { path: string; source: string }[] => [
  ...VALIDATORS.map(({ file, origin, schemas }) => ({
    path: join(ROOT, file),
    source: validatorSource(schemas, origin),
  })),
  {
    path: join(ROOT, 'services/query-service/src/portal/openapi.generated.json'),
    source: `${JSON.stringify(openApiDocument(), null, 2)}\n`,
  },
  {
    path: join(ROOT, 'services/query-service/src/portal/asyncapi.generated.json'),
    source: `${JSON.stringify(asyncApiDocument(), null, 2)}\n`,
  },
  {
    path: join(ROOT, 'clients/http/src/api.generated.ts'),
    source: clientTypesSource(),
  },
  {
    // What scripts/offline-like-aws.cjs answers in API Gateway's place (it cannot load TypeScript).
    path: join(ROOT, 'scripts/offline-errors.generated.json'),
    source: `${JSON.stringify(
      Object.fromEntries(OFFLINE_ERRORS.map((code) => [code, exampleBody(code)])),
      null,
      2,
    )}\n`,
  },
];
