import { KMSClient } from '@aws-sdk/client-kms';
import { documentClientFromEnv } from '../dynamo/client';
import { FUNCTION_CLIENT_OPTIONS } from '../dynamo/client-options';
import { requiredEnv } from '../dynamo/required-env';
import { countWith, traceClient } from '../observability';
import { KmsDataKeys } from './data-keys';

/** The stage's data keys, for a function: table and KMS key from the environment. */
export const dataKeysFromEnv = () =>
  new KmsDataKeys(
    documentClientFromEnv(),
    traceClient(new KMSClient(FUNCTION_CLIENT_OPTIONS)),
    { table: requiredEnv('DATA_KEYS_TABLE'), kmsKeyId: requiredEnv('KMS_KEY_ID') },
    undefined,
    undefined,
    // What personal data costs, visible: each key-table read and KMS call, by operation.
    (operation) => countWith('DataKeyRequests', { Operation: operation }),
  );
