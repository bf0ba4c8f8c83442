import { KMSClient } from '@aws-sdk/client-kms';
import { documentClientFromEnv, requiredEnv } from '../dynamo/client';
import { KmsDataKeys } from './data-keys';

/** The stage's data keys, for a function: table and KMS key from the environment. */
export const dataKeysFromEnv = () =>
  new KmsDataKeys(documentClientFromEnv(), new KMSClient({}), {
    table: requiredEnv('DATA_KEYS_TABLE'),
    kmsKeyId: requiredEnv('KMS_KEY_ID'),
  });
