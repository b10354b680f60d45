import { Ajv, type ErrorObject, type Options } from 'ajv';
import type { FastifyInstance } from 'fastify';

const common: Options = { useDefaults: true, removeAdditional: true, allErrors: false, addUsedSchema: false };

interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** Whether a body schema asks for something: a body must then be sent. */
function demandsBody(schema: Record<string, unknown>): boolean {
  return (Array.isArray(schema.required) && schema.required.length > 0) || schema.minProperties !== undefined;
}

/**
 * JSON-schema validation: query strings, path parameters and headers are
 * text on the wire, so their values are coerced (`?limit=5` is the integer
 * 5); JSON bodies are not — `{"name": 42}` for a string field is a 400, not
 * the string "42". A body whose fields are all optional may be left out.
 */
export function installValidation(app: FastifyInstance): void {
  const strict = new Ajv({ ...common, coerceTypes: false });
  const coercing = new Ajv({ ...common, coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart !== 'body') return coercing.compile(schema);
    const validate = strict.compile(schema);
    if (demandsBody(schema as Record<string, unknown>)) return validate;
    const optional: Validator = (data) => {
      if (data === undefined || data === null) return true;
      const ok = validate(data);
      optional.errors = validate.errors;
      return ok;
    };
    return optional;
  });
}
