/** The queue of delivery attempts: one job per delivery, retried by pg-boss with backoff. */
export const WEBHOOK_DELIVERY_QUEUE = 'webhook-delivery';

export interface WebhookDeliveryJob {
  deliveryId: string;
}
