import type { z } from 'zod';
import { errorBodySchema } from '../schemas/index.ts';
import { error } from './examples.ts';
import type { MediaDoc, ResponseDoc } from './types.ts';

export const JSON_TYPE = 'application/json';

type Examples = NonNullable<MediaDoc['examples']>;

export function jsonResponse(description: string, schema: z.ZodType, examples?: Examples): ResponseDoc {
  return { description, content: { [JSON_TYPE]: { schema, ...(examples ? { examples } : {}) } } };
}

/** An error answer; `examples` maps a name to `[code, message]`. */
export function errorResponse(description: string, examples: Record<string, [code: string, message: string]>): ResponseDoc {
  const named: Examples = {};
  for (const [name, [code, message]] of Object.entries(examples)) named[name] = { summary: code, value: error(code, message) };
  return jsonResponse(description, errorBodySchema, named);
}

export const unauthorized = errorResponse('No or wrong bearer token (`Authorization: Bearer <token>`, API_TOKENS).', {
  unauthorized: ['unauthorized', 'missing or wrong bearer token: send Authorization: Bearer <token>'],
});

export const unavailable = errorResponse('Redis or the queue is unavailable; nothing was accepted or changed. Retry.', {
  unavailable: ['unavailable', 'Redis is unavailable; nothing was accepted, try again'],
});

export const internal = errorResponse('Unexpected error; nothing was changed by a write, retry it with the same id.', {
  internal: ['internal', 'internal error; nothing was changed by this request if it was a write, retry with the same id'],
});

/** Answers of every route that reads a JSON body, before the route sees it. */
export function bodyErrors(limit: string): Record<number, ResponseDoc> {
  return {
    413: errorResponse(`The body is larger than ${limit}.`, { payload_too_large: ['payload_too_large', `the body is larger than ${limit}`] }),
    415: errorResponse('The Content-Type is not one the route reads.', {
      unsupported_media_type: ['unsupported_media_type', 'content type application/xml is not accepted; send application/json'],
    }),
  };
}

/** The answers every authenticated `/v1` route may give, added to its own. */
export function v1Responses(own: Record<number, ResponseDoc>): Record<number, ResponseDoc> {
  return { ...own, 401: unauthorized, 500: internal, 503: unavailable };
}
