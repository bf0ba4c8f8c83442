/** A tiny client for the offline stack that jest's e2e global setup started. */
export const baseUrl = (): string => {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error('E2E_BASE_URL is not set: run e2e tests through jest');
  return url;
};

// biome-ignore lint/suspicious/noExplicitAny: tests probe arbitrary JSON bodies, including malformed ones
export type ApiResponse = { status: number; headers: Headers; body: any };

const send = async (path: string, init?: RequestInit): Promise<ApiResponse> => {
  const response = await fetch(`${baseUrl()}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, body };
};

export const postCommand = (body: unknown, headers: Record<string, string> = {}) =>
  send('/command', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

export const get = (path: string, headers: Record<string, string> = {}) => send(path, { headers });

/** Polls until `check` stops throwing: the read side is eventually consistent. */
export const eventually = async <T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
};

let counter = 0;
/** A user id nobody else in this run uses. */
export const uniqueUserId = (label = 'user') =>
  `${label}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
