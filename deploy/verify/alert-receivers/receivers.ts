/**
 * make alert-check's stand-ins for an operator's receivers, run in containers on the check's own network:
 *   webhook: an HTTP server on :8080 that prints one JSON line ({path, body}) per request it gets;
 *   mails:   prints Mailpit's message list (its HTTP API on 127.0.0.1:8025, in the mail server's container).
 */
import { createServer } from 'node:http';

const mode = process.argv[2];
if (mode === 'webhook') {
  createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      console.log(JSON.stringify({ path: request.url, body }));
      response.end('ok');
    });
  }).listen(8080);
} else if (mode === 'mails') {
  void fetch('http://127.0.0.1:8025/api/v1/messages')
    .then((reply) => reply.text())
    .then((text) => console.log(text));
} else {
  console.error('usage: receivers.cjs webhook|mails');
  process.exit(2);
}
