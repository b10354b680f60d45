// Reads an OpenAI chat-completions request body into a mock LLM request,
// rejecting bad fields with the field's name (OpenAI's `param`).
import type { LlmMessage, LlmRequest } from './mock-llm.ts';

export interface ChatCompletionsRequest {
  llm: LlmRequest;
  stream: boolean;
  includeUsage: boolean;
}

/** A 400 naming the request field at fault. */
export class InvalidRequestField extends Error {
  readonly param: string | null;
  constructor(param: string | null, message: string) {
    super(message);
    this.name = 'InvalidRequestField';
    this.param = param;
  }
}

const ROLE_MAP: Readonly<Record<string, LlmMessage['role']>> = {
  system: 'system', developer: 'system', user: 'user', assistant: 'assistant', tool: 'tool', function: 'tool',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function optionalNumber(body: Record<string, unknown>, field: string, min: number, max: number): void {
  const v = body[field];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new InvalidRequestField(field, `'${field}' must be a number from ${min} to ${max} (got ${JSON.stringify(v)}).`);
  }
}

function optionalBoolean(body: Record<string, unknown>, field: string, prefix = ''): boolean | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new InvalidRequestField(prefix + field, `'${prefix + field}' must be a boolean (got ${JSON.stringify(v)}).`);
  return v;
}

function messageContent(content: unknown, at: string): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) {
    throw new InvalidRequestField(`${at}.content`, `'${at}.content' must be a string or an array of content parts.`);
  }
  let text = '';
  content.forEach((part: unknown, j) => {
    if (!isObject(part) || typeof part.type !== 'string') {
      throw new InvalidRequestField(`${at}.content[${j}]`, `'${at}.content[${j}]' must be an object with a 'type'.`);
    }
    if (part.type === 'text') {
      if (typeof part.text !== 'string') throw new InvalidRequestField(`${at}.content[${j}].text`, `'${at}.content[${j}].text' must be a string.`);
      text += part.text;
    }
  });
  return text;
}

function parseMessages(value: unknown): LlmMessage[] {
  if (value === undefined) throw new InvalidRequestField('messages', "Missing required parameter: 'messages'.");
  if (!Array.isArray(value) || value.length === 0) throw new InvalidRequestField('messages', "'messages' must be a non-empty array.");
  return value.map((m: unknown, i): LlmMessage => {
    const at = `messages[${i}]`;
    if (!isObject(m)) throw new InvalidRequestField(at, `'${at}' must be an object with 'role' and 'content'.`);
    const role = typeof m.role === 'string' ? ROLE_MAP[m.role] : undefined;
    if (role === undefined) {
      throw new InvalidRequestField(`${at}.role`, `'${at}.role' must be one of system, developer, user, assistant, tool (got ${JSON.stringify(m.role)}).`);
    }
    if (m.content === undefined && role !== 'assistant') throw new InvalidRequestField(`${at}.content`, `Missing required parameter: '${at}.content'.`);
    return { role, content: messageContent(m.content, at) };
  });
}

function parseMaxTokens(body: Record<string, unknown>): number | undefined {
  for (const field of ['max_completion_tokens', 'max_tokens']) {
    const v = body[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new InvalidRequestField(field, `'${field}' must be an integer of at least 1 (got ${JSON.stringify(v)}).`);
    }
    return v;
  }
  return undefined;
}

/**
 * Validates a `POST /v1/chat/completions` body. Accepted: model (optional,
 * default model when absent), messages (string content or text parts),
 * stream, stream_options.include_usage, max_completion_tokens / max_tokens,
 * n (must be 1), temperature, top_p, ignore_eos. Other fields are ignored.
 */
export function parseChatCompletionsRequest(body: unknown): ChatCompletionsRequest {
  if (!isObject(body)) throw new InvalidRequestField(null, 'The request body must be a JSON object.');
  const model = body.model;
  if (model !== undefined && (typeof model !== 'string' || model === '')) {
    throw new InvalidRequestField('model', `'model' must be a non-empty string (got ${JSON.stringify(model)}).`);
  }
  const messages = parseMessages(body.messages);
  const stream = optionalBoolean(body, 'stream') ?? false;
  let includeUsage = false;
  const so = body.stream_options;
  if (so !== undefined && so !== null) {
    if (!isObject(so)) throw new InvalidRequestField('stream_options', "'stream_options' must be an object.");
    if (!stream) throw new InvalidRequestField('stream_options', "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
    includeUsage = optionalBoolean(so, 'include_usage', 'stream_options.') ?? false;
  }
  if (body.n !== undefined && body.n !== null && body.n !== 1) {
    throw new InvalidRequestField('n', `'n' must be 1: the mock LLM returns one choice (got ${JSON.stringify(body.n)}).`);
  }
  optionalNumber(body, 'temperature', 0, 2);
  optionalNumber(body, 'top_p', 0, 1);
  const ignoreEos = optionalBoolean(body, 'ignore_eos') ?? false;
  const llm: LlmRequest = { messages };
  if (model !== undefined) llm.model = model;
  const maxTokens = parseMaxTokens(body);
  if (maxTokens !== undefined) llm.maxTokens = maxTokens;
  if (ignoreEos) llm.ignoreEos = true;
  return { llm, stream, includeUsage };
}
