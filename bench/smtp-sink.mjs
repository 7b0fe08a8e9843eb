// A real SMTP server for the benchmark: the app in production mode needs SMTP_URL, and the mail
// scenario times each welcome mail from its sign-up to its arrival here.
import { SMTPServer } from 'smtp-server';

export async function startSmtpSink(port) {
  const arrivals = new Map();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // Its reverse DNS lookup of each client costs ~100 ms here, which is the sink's, not the app's.
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        for (const { address } of session.envelope.rcptTo)
          arrivals.set(address.toLowerCase(), performance.now());
        callback();
      });
    },
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    /** performance.now() when a mail to `address` arrived, waiting for it up to `timeoutMs`. */
    async arrival(address, timeoutMs = 30_000) {
      const deadline = performance.now() + timeoutMs;
      while (!arrivals.has(address) && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 2));
      if (!arrivals.has(address)) throw new Error(`no mail to ${address} within ${timeoutMs} ms`);
      return arrivals.get(address);
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
