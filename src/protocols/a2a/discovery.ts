import type { A2aVersion } from './options.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where and how to talk to an agent. */
export interface Endpoint {
  readonly version: A2aVersion;
  readonly rpcUrl: string;
}

interface Iface {
  url: string;
  binding: string;
  version: string;
}

/** The interfaces a card lists: v1.0 `supportedInterfaces`, v0.3 `url` + `preferredTransport` + `additionalInterfaces`. */
function interfacesOf(card: Json): Iface[] {
  const out: Iface[] = [];
  const v03 = typeof card.protocolVersion === 'string' ? card.protocolVersion : '0.3';
  if (Array.isArray(card.supportedInterfaces)) {
    for (const i of card.supportedInterfaces) {
      if (!isObject(i) || typeof i.url !== 'string') continue;
      out.push({ url: i.url, binding: String(i.protocolBinding ?? i.transport ?? 'JSONRPC'), version: String(i.protocolVersion ?? '1.0') });
    }
  }
  if (typeof card.url === 'string') out.push({ url: card.url, binding: String(card.preferredTransport ?? 'JSONRPC'), version: v03 });
  if (Array.isArray(card.additionalInterfaces)) {
    for (const i of card.additionalInterfaces) {
      if (isObject(i) && typeof i.url === 'string') out.push({ url: i.url, binding: String(i.transport ?? ''), version: v03 });
    }
  }
  return out;
}

const major = (v: string): number => Number.parseInt(v, 10);

/**
 * The JSON-RPC endpoint to use from an agent card: the interface of the
 * wanted version, or with 'auto' the newest one `ctx.a2a` speaks (1.x, else
 * 0.x). Relative URLs resolve against the card's URL. Throws with a message
 * naming what the card lacks.
 */
export function endpointFromCard(card: unknown, cardUrl: string, want: A2aVersion | 'auto'): Endpoint {
  if (!isObject(card)) throw new Error('the agent card is not a JSON object');
  const rpc = interfacesOf(card).filter((i) => i.binding.toUpperCase() === 'JSONRPC');
  const v1 = rpc.find((i) => major(i.version) === 1);
  const v0 = rpc.find((i) => major(i.version) === 0);
  const pick = want === '1.0' ? v1 : want === '0.3' ? v0 : (v1 ?? v0);
  if (pick === undefined) {
    const listed = rpc.map((i) => `${i.version} at ${i.url}`).join(', ');
    throw new Error(`the agent card lists no JSON-RPC interface${want === 'auto' ? '' : ` for A2A ${want}`}${listed === '' ? '' : ` (it lists ${listed})`}`);
  }
  return { version: major(pick.version) === 1 ? '1.0' : '0.3', rpcUrl: new URL(pick.url, cardUrl).toString() };
}
