import type { Readable, Writable } from 'node:stream';

export type BatchPump = {
  pipe<T extends Writable>(consumer: T): T;
  pause(): BatchPump;
  resume(): BatchPump;
};

export function batchLikeLambda(source: Readable, limit: number): BatchPump;
export function readStreamsInLambdaBatches(): void;
