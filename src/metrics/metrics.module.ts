import { Module } from '@nestjs/common';
import { Metrics } from './metrics.js';

/** The app's metrics registry, which any module may add to (jobs, auth). */
@Module({ providers: [Metrics], exports: [Metrics] })
export class MetricsModule {}
