/**
 * Loaded before the app (`node --import ./dist/src/telemetry/tracing.js dist/src/main.js`, as
 * `npm start`, the worker and the image run it): instrumentation must patch http, pg and the rest
 * before the app imports them. Without OTEL_EXPORTER_OTLP_ENDPOINT it loads nothing more and the
 * app's spans are @opentelemetry/api's no-ops.
 */
import { tracingSettings } from '../config/tracing.config.js';

const settings = tracingSettings();
if (settings) await (await import('./tracing-sdk.js')).startTracing(settings);
