// A collector stand-in for `npm run bench -- --tracing`: takes every OTLP/HTTP export, reads it
// whole, counts its bytes and answers 200, as a healthy collector does.
import { createServer } from 'node:http';

export async function startOtlpSink(port) {
  let exports = 0;
  let bytes = 0;
  const server = createServer((request, response) => {
    request.on('data', (chunk) => (bytes += chunk.length));
    request.on('end', () => {
      exports++;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => ({ exports, bytes }),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
