import { createServer, connect, type Server } from 'node:net';

/**
 * A loopback port that refuses connections until `open()`, then forwards them to `targetPort`.
 * It makes a fully initialised server look, to a client, like one that comes up late.
 */
export async function latePort(
  port: number,
  targetPort: number,
): Promise<{ open(): Promise<void>; close(): Promise<void> }> {
  let server: Server | undefined;
  return {
    open: () =>
      new Promise((resolve, reject) => {
        server = createServer((client) => {
          const upstream = connect(targetPort, '127.0.0.1');
          client.pipe(upstream).pipe(client);
          const end = () => {
            client.destroy();
            upstream.destroy();
          };
          client.on('error', end);
          upstream.on('error', end);
        });
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    close: () =>
      new Promise((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
      }),
  };
}
