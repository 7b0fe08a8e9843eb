import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Transporter } from 'nodemailer';
import { mailConfig, type MailConfig } from '../config/mail.config.js';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Seconds an SMTP server gets to answer each step, so a stuck server fails the job (and it retries). */
const SMTP_TIMEOUT_MS = 15_000;
/** nodemailer has no maintained OpenTelemetry instrumentation: the send is a span of ours (a no-op without the SDK). */
const tracer = trace.getTracer('gatehouse-mail');

/**
 * Sends mail over SMTP (nodemailer, SMTP_URL). Without SMTP_URL, which only development allows, the
 * mail is written to the log instead, links included, so that a newcomer can finish every flow.
 * A failure throws: the job that sends the mail is retried.
 */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  /** nodemailer (~40 modules) loads with the first mail or probe, not at boot. */
  private transport?: Promise<Transporter>;

  constructor(@Inject(mailConfig.KEY) private readonly config: MailConfig) {}

  async send(mail: Mail): Promise<void> {
    if (!this.config.smtpUrl) {
      this.logger.log(
        `SMTP_URL is unset, so this mail is only logged:\nTo: ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text}`,
      );
      return;
    }
    const transport = await this.smtp(this.config.smtpUrl);
    await tracer.startActiveSpan('smtp send', { kind: SpanKind.CLIENT }, async (span) => {
      try {
        await transport.sendMail({ from: this.config.from, ...mail });
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  /**
   * Reaches the SMTP server without sending anything (EHLO, and the login if the URL has one);
   * throws as `send` would when the server is away. Nothing without SMTP_URL.
   */
  async probe(): Promise<void> {
    if (this.config.smtpUrl) await (await this.smtp(this.config.smtpUrl)).verify();
  }

  async onApplicationShutdown(): Promise<void> {
    (await this.transport)?.close();
  }

  private smtp(url: string): Promise<Transporter> {
    return (this.transport ??= import('nodemailer').then(({ createTransport }) =>
      createTransport({
        url,
        // Keeps a few connections open between mails instead of a handshake per mail.
        pool: true,
        connectionTimeout: SMTP_TIMEOUT_MS,
        greetingTimeout: SMTP_TIMEOUT_MS,
        socketTimeout: SMTP_TIMEOUT_MS,
      }),
    ));
  }
}
