import type { Readable } from 'node:stream';

export function batchLikeLambda(source: Readable, limit: number): Readable;
export function readStreamsInLambdaBatches(): void;
