type LambdaFunctionClass = {
  prototype: { runHandler(): Promise<unknown>; setEvent?(event: unknown): void };
};

export function behaveLikeAws(
  LambdaFunction: LambdaFunctionClass,
  kindOf: (name: string) => 'http' | 'public' | 'stream' | 'other' | undefined,
  log: (line: string) => void,
  authenticate: (authorization: string | undefined) => Promise<object | undefined>,
): void;

export function patchServerlessOffline(serverless: unknown): Promise<void>;
