import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createServer, type Server } from 'node:http';
import { metricsConfig, type MetricsConfig } from '../config/metrics.config.js';
import { Metrics } from './metrics.js';

/**
 * With METRICS_PORT, the metrics on a listener of their own (GET /metrics, nothing else), on
 * METRICS_HOST (this host only, by default): a private port a scraper reaches and the public one
 * does not serve.
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;

  constructor(
    private readonly metrics: Metrics,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(metricsConfig.KEY) private readonly config: MetricsConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.port === undefined || !this.adapterHost.httpAdapter) return;
    this.server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      this.metrics.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
    });
    // A port already taken stops the boot, as the API's own port does.
    await new Promise<void>((resolve, reject) =>
      this.server!.once('error', reject).listen(this.config.port, this.config.host, resolve),
    );
    new Logger('Metrics').log(`metrics on http://${this.config.host}:${this.config.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
