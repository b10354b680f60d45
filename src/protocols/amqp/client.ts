import type { VuScope } from '../vu-scope.ts';
import { AmqpChannel } from './channel.ts';

/**
 * The `amqp` object of a VU context. `connect(url)` returns this VU's channel
 * to that broker (one per VU and URL, reused across iterations) on the
 * worker's shared connection, which the worker closes at the end of the test.
 * Without a URL, the VU's `AMQP_URL` variable is used.
 */
export class AmqpClient {
  readonly #channels = new Map<string, AmqpChannel>();

  constructor(private readonly scope: VuScope) {}

  /** This VU's channel to the broker at `url` (amqp:// or amqps://). Connects on first use. */
  connect(url?: string): AmqpChannel {
    const u = url ?? this.scope.env.AMQP_URL;
    if (typeof u !== 'string' || u === '') throw new TypeError('amqp.connect(): give the broker URL (amqp://user:pass@host:5672) or set the AMQP_URL variable');
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new TypeError('amqp.connect(): the broker URL could not be parsed (expected amqp://user:pass@host:5672/vhost)');
    }
    if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') throw new TypeError(`amqp.connect(): the URL must start with amqp:// or amqps:// (got ${parsed.protocol}//)`);
    let ch = this.#channels.get(u);
    if (ch === undefined) {
      ch = new AmqpChannel(this.scope, u);
      this.#channels.set(u, ch);
    }
    return ch;
  }
}
