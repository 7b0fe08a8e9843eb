import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { MetricsListener } from './metrics-listener.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';
import { MetricsModule } from './metrics.module.js';

/** GET /metrics for scrapers: behind METRICS_TOKEN on the API's port, or alone on METRICS_PORT. */
@Module({
  imports: [MetricsModule],
  controllers: [MetricsController],
  providers: [MetricsListener, MetricsTokenGuard],
})
export class MetricsEndpointModule {}
