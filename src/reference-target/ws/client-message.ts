import type { RawData } from 'ws';

/** A message from a WebSocket client: a JSON object with a `type` and, when it wants a reply matched, an `id`. */
export type ClientMessage = Record<string, unknown> & { type?: unknown; id?: unknown };

/** The JSON object a text frame holds; undefined for a binary frame, text that is not JSON, or JSON that is not an object. */
export function parseClientMessage(data: RawData, isBinary: boolean): ClientMessage | undefined {
  if (isBinary) return undefined;
  try {
    const parsed: unknown = JSON.parse(data.toString());
    return typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) ? undefined : (parsed as ClientMessage);
  } catch {
    return undefined;
  }
}

/** The message's id when it is a string or a number (what replies echo). */
export function messageId(msg: ClientMessage): string | number | undefined {
  return typeof msg.id === 'string' || typeof msg.id === 'number' ? msg.id : undefined;
}
