type LambdaFunctionClass = { prototype: { runHandler(): Promise<unknown> } };

export function behaveLikeAws(
  LambdaFunction: LambdaFunctionClass,
  kindOf: (name: string) => 'http' | 'stream' | 'other' | undefined,
  log: (line: string) => void,
): void;

export function patchServerlessOffline(serverless: unknown): Promise<void>;
