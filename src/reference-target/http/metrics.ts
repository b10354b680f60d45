import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The target's Prometheus metrics (GET /metrics), in a registry of its own so
 * that several targets can live in one process. Names follow the seeds'
 * dashboards: http_request_duration_seconds, http_requests_total,
 * websocket_active_connections, websocket_backpressure_drops_total,
 * a2a_task_queue_size.
 */
export class TargetMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly wsConnections: Gauge<'endpoint'>;
  readonly wsMessages: Counter<'endpoint' | 'direction'>;
  readonly wsDrops: Counter<'endpoint'>;
  readonly cacheHits: Counter;
  readonly cacheMisses: Counter;
  readonly dbQueryDuration: Histogram<'op'>;
  readonly tasksProcessed: Counter<'status'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route (the route pattern, not the URL)',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.httpRequests = new Counter({ name: 'http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers });
    this.wsConnections = new Gauge({ name: 'websocket_active_connections', help: 'Open WebSocket connections', labelNames: ['endpoint'], registers });
    this.wsMessages = new Counter({ name: 'websocket_messages_total', help: 'WebSocket messages, by direction (in, out)', labelNames: ['endpoint', 'direction'], registers });
    this.wsDrops = new Counter({ name: 'websocket_backpressure_drops_total', help: 'Messages dropped because a slow client let its send queue fill', labelNames: ['endpoint'], registers });
    this.cacheHits = new Counter({ name: 'cache_hits_total', help: 'Read cache hits', registers });
    this.cacheMisses = new Counter({ name: 'cache_misses_total', help: 'Read cache misses', registers });
    this.dbQueryDuration = new Histogram({
      name: 'db_query_duration_seconds',
      help: 'Database statement duration by kind (select, insert, update, delete)',
      labelNames: ['op'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.tasksProcessed = new Counter({ name: 'agent_tasks_processed_total', help: 'Tasks the agent workers finished, by outcome', labelNames: ['status'], registers });
  }

  /** A gauge read when scraped. */
  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }

  /** A counter whose total is kept elsewhere (read when scraped). */
  counter(name: string, help: string, read: () => number): void {
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
