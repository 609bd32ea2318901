import type { Server } from 'node:http';
import express from 'express';
import type { ChangeConsumer } from './consumer.ts';
import type { Projector } from '@chorus/cdc-events';

/** GET /healthz: 200 while the consumer runs, 503 otherwise; the body has the lag and the last event time. */
export function healthServer(consumer: ChangeConsumer, projector: Projector) {
  const app = express();
  app.get('/healthz', async (_req, res) => {
    const lag = await consumer.lag().catch(() => null);
    const healthy = consumer.state === 'running';
    res.status(healthy ? 200 : 503).json({
      status: consumer.state,
      lag,
      lastEventAt: projector.lastEventAt?.toISOString() ?? null,
      events: projector.counters,
    });
  });
  return {
    listen: (port: number) => new Promise<Server>((resolve) => {
      const server = app.listen(port, () => resolve(server));
    }),
  };
}
