import type { Validator } from '@users/shared';
import type { FromSchema } from 'json-schema-to-ts';
import {
  validateDetailRequest as detail,
  validateErasureReceiptRequest as erasureReceipt,
  validateExportRequest as exportRequest,
  validateHistoryRequest as history,
  validateListRequest as list,
} from './query.validators.generated';
import type {
  detailRequestSchema,
  erasureReceiptPathSchema,
  erasureReceiptQuerySchema,
  exportRequestSchema,
  historyRequestSchema,
  listRequestSchema,
} from './query-schemas';

export const validateListRequest = list as Validator<FromSchema<typeof listRequestSchema>>;
export const validateDetailRequest = detail as Validator<FromSchema<typeof detailRequestSchema>>;
export const validateHistoryRequest = history as Validator<FromSchema<typeof historyRequestSchema>>;
export const validateExportRequest = exportRequest as Validator<
  FromSchema<typeof exportRequestSchema>
>;
/** Compiled from erasureReceiptRequestSchema: one route's request or the other's. */
export const validateErasureReceiptRequest = erasureReceipt as Validator<
  FromSchema<typeof erasureReceiptPathSchema> | FromSchema<typeof erasureReceiptQuerySchema>
>;
