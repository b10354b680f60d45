import { registry } from '../../metrics/builtin.ts';

/** RabbitMQ (AMQP 0-9-1) metrics (docs/data-plane.md), tagged with `queue` (and `error_code` on failures). */
export const amqpMetrics = {
  /** sendToQueue() → the broker's publisher confirm (ms). */
  amqp_publish_duration: registry.define('amqp_publish_duration', 'trend', 'time'),
  /** Publish time (the timestamp header set by publish()) → delivery to this consumer (ms). */
  amqp_consume_latency: registry.define('amqp_consume_latency', 'trend', 'time'),
  /** Delivery to this consumer → ack() (ms): how long the message stayed unacknowledged. */
  amqp_ack_duration: registry.define('amqp_ack_duration', 'trend', 'time'),
  /** Ready messages of the queue as checkQueue() reports them. */
  amqp_queue_depth: registry.define('amqp_queue_depth', 'gauge'),
} as const;
