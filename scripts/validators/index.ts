import { join } from 'node:path';
import { storedEventSchema } from '@users/shared/schemas';
import { commandRequestSchema } from '../../services/command-service/src/handlers/command/request-schema';
import {
  detailRequestSchema,
  historyRequestSchema,
  listRequestSchema,
} from '../../services/query-service/src/http/query-schemas';
import { statsRequestSchema } from '../../services/stats-service/src/http/stats-schema';
import { deliveredEventSchema } from '../../shared/src/integration/schemas';
import { asyncApiDocument } from '../asyncapi/document';
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
      validateStoredEventV2: storedEventSchema(2),
    },
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
    },
  },
];

/** Every file `npm run generate` writes from the schemas: validators, OpenAPI and AsyncAPI documents. */
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
];
