type LambdaFunctionClass = { prototype: { runHandler(): Promise<unknown> } };

export function answerLikeApiGateway(
  LambdaFunction: LambdaFunctionClass,
  isHttpFunction: (name: string) => boolean,
  log: (line: string) => void,
): void;

export function patchServerlessOffline(serverless: unknown): Promise<void>;
