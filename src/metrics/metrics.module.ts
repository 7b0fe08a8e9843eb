import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { MetricsListener } from './metrics-listener.js';
import { Metrics } from './metrics.js';

/** The app's metrics registry, which any module may add to (jobs, auth). */
@Module({ providers: [Metrics], exports: [Metrics] })
export class MetricsModule {}

/** GET /metrics for scrapers: behind METRICS_TOKEN on the API's port, or alone on METRICS_PORT. */
@Module({ imports: [MetricsModule], controllers: [MetricsController], providers: [MetricsListener] })
export class MetricsEndpointModule {}
