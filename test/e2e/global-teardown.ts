import type { LocalStack } from '../../scripts/local-stack/stack';

export default async () => {
  await ((globalThis as Record<string, unknown>).e2eStack as LocalStack | undefined)?.stop();
};
