import { selectJson } from '../json-path.ts';

const UNPARSED = Symbol('unparsed');

/** A message received on a WebSocket session. */
export class WsMessage {
  /** Text for text frames, bytes for binary frames. */
  readonly data: string | Buffer;
  readonly binary: boolean;
  /** Payload size in bytes. */
  readonly size: number;
  /** When it was received (epoch ms). */
  readonly time: number;
  #json: unknown = UNPARSED;

  constructor(data: string | Buffer, binary: boolean, size: number, time: number) {
    this.data = data;
    this.binary = binary;
    this.size = size;
    this.time = time;
  }

  /** The payload as text (binary payloads decoded as UTF-8). */
  get text(): string {
    return typeof this.data === 'string' ? this.data : this.data.toString('utf8');
  }

  /**
   * The payload parsed as JSON (parsed once); undefined when it is binary or not JSON. With a selector, the
   * value at that path (`msg.json('data.id')`: the paths of `res.json()`, docs/http.md), undefined when it finds nothing.
   */
  json<T = unknown>(selector?: string): T | undefined {
    if (selector !== undefined) return selectJson(this.json(), selector) as T | undefined;
    if (this.#json === UNPARSED) {
      this.#json = undefined;
      if (typeof this.data === 'string') {
        try {
          this.#json = JSON.parse(this.data) as unknown;
        } catch {
          // not JSON: stays undefined
        }
      }
    }
    return this.#json as T | undefined;
  }
}

/** What a server reports of its own backpressure in a message (seed 004's `backpressure` field). */
export interface BackpressureReport {
  drops: number | undefined;
  queueSize: number | undefined;
}

/**
 * `{ "backpressure": { "drops": N, "queue_size": M } }` at the top level of a
 * JSON message; undefined when the message carries no such field. A cheap
 * substring test comes first, so other messages are not parsed for this.
 */
export function backpressureOf(msg: WsMessage): BackpressureReport | undefined {
  if (typeof msg.data !== 'string' || !msg.data.includes('"backpressure"')) return undefined;
  const v = msg.json<{ backpressure?: { drops?: unknown; queue_size?: unknown } }>();
  const bp = v?.backpressure;
  if (bp === undefined || bp === null || typeof bp !== 'object') return undefined;
  const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : undefined);
  const report = { drops: num(bp.drops), queueSize: num(bp.queue_size) };
  return report.drops === undefined && report.queueSize === undefined ? undefined : report;
}

/** What a script may send: text, bytes, or any other value (sent as JSON text). */
export type WsData = string | Uint8Array | ArrayBuffer | Record<string, unknown> | unknown[] | number | boolean | null;

export function encodeWsData(data: WsData): string | Buffer {
  if (typeof data === 'string') return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return JSON.stringify(data);
}
