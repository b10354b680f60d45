import { errorCodeOf } from '../http/error-codes.ts';

/**
 * Stable `error_code` tag values of AMQP failures. Node's system codes
 * (ECONNREFUSED…) are kept; a channel or connection closed by the broker is
 * `AMQP_<reply code>` (AMQP_404: no such queue, AMQP_406: precondition failed).
 */
export const AMQP_ERROR_CODES = {
  AMQP_NACK: 'the broker refused the message (publisher confirm was a nack)',
  AMQP_CHANNEL_CLOSED: 'the channel closed (an earlier error closed it, or the test is ending)',
  INTERRUPTED: 'the VU was interrupted (stop or ramp-down)',
} as const;

export type AmqpErrorCode = keyof typeof AMQP_ERROR_CODES | `AMQP_${number}` | (string & {});

/** The error_code of an amqplib error. */
export function amqpErrorCodeOf(err: unknown): AmqpErrorCode {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return `AMQP_${code}`;
  if (err instanceof Error && typeof code !== 'string') {
    if (err.message === 'message nacked') return 'AMQP_NACK';
    if (/channel (ended|closed)/i.test(err.message)) return 'AMQP_CHANNEL_CLOSED';
  }
  return errorCodeOf(err);
}

/** A failed AMQP operation; `code` is also the error_code tag of the recorded sample. */
export class AmqpError extends Error {
  constructor(
    message: string,
    readonly code: AmqpErrorCode,
  ) {
    super(message);
    this.name = 'AmqpError';
  }
}
