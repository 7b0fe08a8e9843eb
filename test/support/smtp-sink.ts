import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './free-port.js';

export interface ReceivedMail {
  /** The envelope's sender (MAIL FROM) and the From header, as the message says them. */
  envelopeFrom: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/**
 * A real SMTP server (the `smtp-server` package) that keeps what it receives, parsed by
 * `mailparser`. It can be stopped and started again on its port (an SMTP outage), and told to hold
 * each message for a while before accepting it (a slow server: a job that stays running).
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  /** Recipients of the messages whose DATA has started and not yet been accepted. */
  private readonly inProgress = new Map<string, number>();
  holdMs = 0;
  private server: SMTPServer | undefined;
  private readonly closed = new Set<string>();

  private constructor(readonly port: number) {}

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink(await freePort());
    await sink.resume();
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async resume(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      // Its reverse DNS lookup of each client costs ~100 ms here, which is the sink's, not the app's.
      disableReverseLookup: true,
      // stop() is an outage: connections still open are cut at once.
      closeTimeout: 50,
      logger: false,
      onClose: (session) => this.closed.add(session.id),
      onData: (stream, session, callback) => {
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
        for (const address of to) this.inProgress.set(address, (this.inProgress.get(address) ?? 0) + 1);
        simpleParser(stream)
          .then(async (parsed) => {
            await this.hold(session.id);
            // A client that went away before the server accepted the message did not send it.
            if (this.closed.has(session.id)) return callback(new Error('the client went away'));
            this.mails.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              from: parsed.from?.text ?? '',
              to,
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
            });
            callback();
          }, callback)
          .finally(() => {
            for (const address of to) this.inProgress.set(address, this.inProgress.get(address)! - 1);
          });
      },
    });
    this.server.on('error', () => undefined);
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  /** Waits `holdMs` (read again as it goes), or until the client hangs up. */
  private async hold(sessionId: string): Promise<void> {
    const started = Date.now();
    while (Date.now() - started < this.holdMs && !this.closed.has(sessionId)) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops listening: connections are refused until `resume()`. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** True while a message to `address` is being received (and held). */
  receiving(address: string): boolean {
    return (this.inProgress.get(address.toLowerCase()) ?? 0) > 0;
  }

  mailsTo(address: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to.includes(address.toLowerCase()));
  }

  /** The first mail to `address` that `match` accepts, waiting for it up to `timeoutMs`. */
  async waitForMail(
    address: string,
    match: (mail: ReceivedMail) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mail = this.mailsTo(address).find(match);
      if (mail) return mail;
      if (Date.now() > deadline) throw new Error(`no mail to ${address} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The token of the `<base>/<purpose>?token=…` link in a mail's text. */
export function tokenIn(
  mail: ReceivedMail,
  purpose: 'verify-email' | 'reset-password' | 'confirm-email-change',
  base: string,
): string {
  const escaped = `${base}/${purpose}`.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const found = new RegExp(`${escaped}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text);
  if (!found) throw new Error(`no ${purpose} link to ${base} in:\n${mail.text}`);
  return found[1];
}
