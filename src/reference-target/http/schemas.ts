/** JSON schemas shared by the routes (Fastify validates with them; failures become 400s naming the field). */

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export interface IdParams {
  id: string;
}

export interface PageQuery {
  limit: number;
  offset: number;
}

/** limit (1–100, default 20) and offset (default 0), plus the given filters. */
export function pageQuery(filters: Record<string, object> = {}): object {
  return {
    type: 'object',
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
      offset: { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 0 },
      ...filters,
    },
  };
}

export const shortText = (maxLength = 200): object => ({ type: 'string', minLength: 1, maxLength });
export const longText = (maxLength = 32_768): object => ({ type: 'string', maxLength });
