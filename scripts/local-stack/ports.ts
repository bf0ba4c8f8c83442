import { createServer } from 'node:net';

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(false))
      .once('listening', () => probe.close(() => resolve(true)))
      .listen(port, '127.0.0.1');
  });

/** Refuses to start on a port something else holds: it would answer in our place. */
export const requireFreePort = async (port: number, what: string) => {
  if (!(await portIsFree(port))) {
    throw new Error(`Port ${port} (${what}) is in use: is another stack running?`);
  }
};
