import { randomUUID } from 'node:crypto';
import type { A2aVersion } from './options.ts';
import type { A2aArtifact, A2aEvent, A2aMessage, A2aMessageInput, A2aPart, A2aTask, A2aTaskState } from './types.ts';

/**
 * What differs between A2A v1.0 and v0.3 on the JSON-RPC binding: method
 * names, the `A2A-Version` header, enum spellings (TASK_STATE_COMPLETED vs
 * completed, ROLE_USER vs user), part shapes ({text} vs {kind:'text',text})
 * and how results and stream events are wrapped. Decoding accepts both
 * shapes whatever the version, since servers in transition mix them.
 */
export type Operation = 'send' | 'stream' | 'get' | 'cancel' | 'resubscribe';

const METHODS: Readonly<Record<A2aVersion, Readonly<Record<Operation, string>>>> = {
  '1.0': { send: 'SendMessage', stream: 'SendStreamingMessage', get: 'GetTask', cancel: 'CancelTask', resubscribe: 'SubscribeToTask' },
  '0.3': { send: 'message/send', stream: 'message/stream', get: 'tasks/get', cancel: 'tasks/cancel', resubscribe: 'tasks/resubscribe' },
};

export function methodOf(version: A2aVersion, op: Operation): string {
  return METHODS[version][op];
}

/** Headers that say which version a request speaks (v1.0 servers treat a missing one as 0.3). */
export function versionHeaders(version: A2aVersion): Record<string, string> {
  return version === '1.0' ? { 'a2a-version': '1.0' } : {};
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export const TERMINAL_STATES: ReadonlySet<A2aTaskState> = new Set(['completed', 'failed', 'canceled', 'rejected']);
export const INTERRUPTED_STATES: ReadonlySet<A2aTaskState> = new Set(['input-required', 'auth-required']);

const NUMERIC_STATES: readonly A2aTaskState[] = ['unknown', 'submitted', 'working', 'completed', 'failed', 'canceled', 'input-required', 'rejected', 'auth-required'];
const STATE_ALIASES: Readonly<Record<string, A2aTaskState>> = {
  submitted: 'submitted',
  pending: 'submitted',
  queued: 'submitted',
  created: 'submitted',
  working: 'working',
  running: 'working',
  'in-progress': 'working',
  processing: 'working',
  executing: 'working',
  'input-required': 'input-required',
  'auth-required': 'auth-required',
  completed: 'completed',
  complete: 'completed',
  succeeded: 'completed',
  success: 'completed',
  done: 'completed',
  failed: 'failed',
  failure: 'failed',
  error: 'failed',
  errored: 'failed',
  canceled: 'canceled',
  cancelled: 'canceled',
  rejected: 'rejected',
};

/** A state in any spelling: `TASK_STATE_INPUT_REQUIRED`, `input-required`, `in_progress`, 6… */
export function normalizeState(v: unknown): A2aTaskState {
  if (typeof v === 'number') return NUMERIC_STATES[v] ?? 'unknown';
  if (typeof v !== 'string') return 'unknown';
  const s = v.toLowerCase().replace(/^task_state_/, '').replace(/[_\s]/g, '-');
  return STATE_ALIASES[s] ?? 'unknown';
}

function encodePart(p: A2aPart, version: A2aVersion): Json {
  if (version === '1.0') {
    if (p.kind === 'text') return { text: p.text };
    if (p.kind === 'data') return { data: p.data };
    const out: Json = p.url !== undefined ? { url: p.url } : { raw: p.bytes ?? '' };
    if (p.mediaType !== undefined) out.mediaType = p.mediaType;
    if (p.name !== undefined) out.filename = p.name;
    return out;
  }
  if (p.kind === 'text') return { kind: 'text', text: p.text };
  if (p.kind === 'data') return { kind: 'data', data: p.data };
  const file: Json = p.url !== undefined ? { uri: p.url } : { bytes: p.bytes ?? '' };
  if (p.mediaType !== undefined) file.mimeType = p.mediaType;
  if (p.name !== undefined) file.name = p.name;
  return { kind: 'file', file };
}

/** The `message` of a send request. */
export function encodeMessage(input: string | A2aMessageInput, version: A2aVersion): Json {
  const m: A2aMessageInput = typeof input === 'string' ? { text: input } : input;
  const parts: A2aPart[] = [...(m.parts ?? [])];
  if (m.text !== undefined) parts.unshift({ kind: 'text', text: m.text });
  if (parts.length === 0) throw new TypeError('ctx.a2a: a message needs `text` or `parts`');
  const out: Json =
    version === '1.0'
      ? { messageId: m.messageId ?? randomUUID(), role: 'ROLE_USER', parts: parts.map((p) => encodePart(p, version)) }
      : { kind: 'message', messageId: m.messageId ?? randomUUID(), role: 'user', parts: parts.map((p) => encodePart(p, version)) };
  if (m.contextId !== undefined) out.contextId = m.contextId;
  if (m.taskId !== undefined) out.taskId = m.taskId;
  if (m.metadata !== undefined) out.metadata = m.metadata;
  return out;
}

/** `params` of a send (or stream) request. */
export function sendParams(
  input: string | A2aMessageInput,
  version: A2aVersion,
  o: { blocking?: boolean; acceptedOutputModes?: readonly string[]; historyLength?: number },
): Json {
  const configuration: Json = {};
  if (o.acceptedOutputModes !== undefined) configuration.acceptedOutputModes = o.acceptedOutputModes;
  if (o.historyLength !== undefined) configuration.historyLength = o.historyLength;
  if (o.blocking !== undefined) {
    if (version === '1.0') {
      if (!o.blocking) configuration.returnImmediately = true;
    } else {
      configuration.blocking = o.blocking;
    }
  }
  const params: Json = { message: encodeMessage(input, version) };
  if (Object.keys(configuration).length > 0) params.configuration = configuration;
  return params;
}

function decodePart(p: unknown): A2aPart | null {
  if (!isObject(p)) return null;
  if (typeof p.text === 'string') return { kind: 'text', text: p.text };
  if (p.kind === 'data' || 'data' in p) return { kind: 'data', data: p.data };
  const f = isObject(p.file) ? p.file : p;
  const url = str(f.uri) || str(f.url);
  const bytes = str(f.bytes) || str(f.raw);
  const mediaType = str(f.mimeType) || str(f.mediaType);
  const name = str(f.name) || str(f.filename);
  if (url === '' && bytes === '') return null;
  return {
    kind: 'file',
    ...(url !== '' ? { url } : { bytes }),
    ...(mediaType !== '' ? { mediaType } : {}),
    ...(name !== '' ? { name } : {}),
  };
}

function decodeParts(v: unknown): A2aPart[] {
  return Array.isArray(v) ? v.map(decodePart).filter((p): p is A2aPart => p !== null) : [];
}

const textOf = (parts: readonly A2aPart[]): string => parts.map((p) => (p.kind === 'text' ? p.text : '')).join('');

export function decodeMessage(v: unknown): A2aMessage | null {
  if (!isObject(v)) return null;
  const parts = decodeParts(v.parts);
  const role = v.role === 'ROLE_AGENT' || v.role === 'agent' || v.role === 2 ? 'agent' : 'user';
  return {
    messageId: str(v.messageId),
    role,
    parts,
    ...(typeof v.contextId === 'string' ? { contextId: v.contextId } : {}),
    ...(typeof v.taskId === 'string' ? { taskId: v.taskId } : {}),
    text: textOf(parts),
  };
}

function decodeArtifact(v: unknown): A2aArtifact | null {
  if (!isObject(v)) return null;
  const parts = decodeParts(v.parts);
  return { artifactId: str(v.artifactId), ...(typeof v.name === 'string' ? { name: v.name } : {}), parts, text: textOf(parts) };
}

export function decodeTask(v: unknown): A2aTask | null {
  if (!isObject(v) || typeof v.id !== 'string') return null;
  const status = isObject(v.status) ? v.status : {};
  return {
    id: v.id,
    contextId: str(v.contextId),
    state: normalizeState(status.state),
    statusMessage: decodeMessage(status.message),
    artifacts: Array.isArray(v.artifacts) ? v.artifacts.map(decodeArtifact).filter((a): a is A2aArtifact => a !== null) : [],
    history: Array.isArray(v.history) ? v.history.map(decodeMessage).filter((m): m is A2aMessage => m !== null) : [],
  };
}

/** The result of send: v1.0 `{task}` / `{message}`, v0.3 a Task or Message with `kind`. */
export function decodeSendResult(result: unknown): { task: A2aTask | null; message: A2aMessage | null } {
  if (!isObject(result)) return { task: null, message: null };
  if (isObject(result.task)) return { task: decodeTask(result.task), message: null };
  if (isObject(result.message)) return { task: null, message: decodeMessage(result.message) };
  if (result.kind === 'message' || (typeof result.messageId === 'string' && result.status === undefined)) return { task: null, message: decodeMessage(result) };
  return { task: decodeTask(result), message: null };
}

/** The result of get / cancel: a Task (v1.0 sends it bare; tolerate `{task}`). */
export function decodeTaskResult(result: unknown): A2aTask | null {
  if (isObject(result) && isObject(result.task)) return decodeTask(result.task);
  return decodeTask(result);
}

/** One stream event: v1.0 `{task|message|statusUpdate|artifactUpdate}`, v0.3 objects with `kind`. */
export function decodeEvent(result: unknown, at: number): A2aEvent | null {
  if (!isObject(result)) return null;
  let kind = typeof result.kind === 'string' ? result.kind : '';
  let body: unknown = result;
  for (const [key, k] of [['task', 'task'], ['message', 'message'], ['statusUpdate', 'status-update'], ['artifactUpdate', 'artifact-update']] as const) {
    if (isObject(result[key])) {
      kind = k;
      body = result[key];
      break;
    }
  }
  if (kind === 'task') {
    const task = decodeTask(body);
    return task === null ? null : { kind: 'task', at, task };
  }
  if (kind === 'message') {
    const message = decodeMessage(body);
    return message === null ? null : { kind: 'message', at, message };
  }
  if (!isObject(body)) return null;
  if (kind === 'status-update') {
    const status = isObject(body.status) ? body.status : {};
    return {
      kind: 'status',
      at,
      taskId: str(body.taskId),
      contextId: str(body.contextId),
      state: normalizeState(status.state),
      message: decodeMessage(status.message),
      final: body.final === true,
    };
  }
  if (kind === 'artifact-update') {
    const artifact = decodeArtifact(body.artifact);
    if (artifact === null) return null;
    return { kind: 'artifact', at, taskId: str(body.taskId), artifact, append: body.append === true, lastChunk: body.lastChunk === true };
  }
  return null;
}

/** JSON-RPC error codes of A2A and JSON-RPC itself, as error_code tags. */
const RPC_CODES: Readonly<Record<number, string>> = {
  [-32700]: 'PARSE_ERROR',
  [-32600]: 'INVALID_REQUEST',
  [-32601]: 'METHOD_NOT_FOUND',
  [-32602]: 'INVALID_PARAMS',
  [-32603]: 'INTERNAL_ERROR',
  [-32001]: 'TASK_NOT_FOUND',
  [-32002]: 'TASK_NOT_CANCELABLE',
  [-32003]: 'PUSH_NOTIFICATION_NOT_SUPPORTED',
  [-32004]: 'UNSUPPORTED_OPERATION',
  [-32005]: 'CONTENT_TYPE_NOT_SUPPORTED',
  [-32006]: 'INVALID_AGENT_RESPONSE',
  [-32007]: 'EXTENDED_CARD_NOT_CONFIGURED',
  [-32008]: 'EXTENSION_SUPPORT_REQUIRED',
  [-32009]: 'VERSION_NOT_SUPPORTED',
};

export function rpcErrorCode(code: unknown): string {
  return typeof code === 'number' ? (RPC_CODES[code] ?? `RPC_${code}`) : 'RPC_ERROR';
}
