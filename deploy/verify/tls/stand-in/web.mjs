// Stands in for the web app behind the proxy: every request gets 200 and the scheme and host it was forwarded with.
import { createServer } from 'node:http';

createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ proto: req.headers['x-forwarded-proto'] ?? null, host: req.headers.host ?? null }));
}).listen(3000);
