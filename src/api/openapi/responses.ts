import { z } from 'zod';
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

export const rateLimited: ResponseDoc = {
  ...errorResponse(
    'Too many requests: this token is past API_RATE_LIMIT_PER_S or API_MAX_CONCURRENT_PER_TOKEN, or this address sent more than ' +
      'API_AUTH_FAILURES_PER_MIN wrong tokens this minute, or (replays) past WEBHOOK_REPLAYS_PER_MIN. Nothing was done; retry after `Retry-After` seconds.',
    {
      rate_limited: ['rate_limited', 'this token sent more requests per second than API_RATE_LIMIT_PER_S allows; retry after 1 s'],
    },
  ),
  headers: { 'retry-after': { description: 'Whole seconds to wait before the next request.', schema: z.string().regex(/^[0-9]+$/) } },
};

export const unavailable = errorResponse(
  'Redis or the queue is unavailable, or the request failed unexpectedly; nothing was accepted or changed. Retry (with the same id). ' +
    'With REDIS_MIN_REPLICAS_ACK, also when the replicas did not confirm the write in time: the withdrawal may be stored, and the same body sent again answers 200 or 202 and is paid at most once.',
  {
    unavailable: ['unavailable', 'Redis is unavailable; nothing was accepted, try again'],
    unconfirmed: [
      'unavailable',
      'the Redis replicas did not confirm this request in time; it may be stored but is not accepted: send the same body again (it is paid at most once)',
    ],
    unexpected: ['unavailable', 'the service could not complete this request; nothing was accepted, retry with the same id'],
  },
);

/** Answers of every route that reads a JSON body, before the route sees it: code `invalid_request`, with their own HTTP status. */
export function bodyErrors(limit: string): Record<number, ResponseDoc> {
  return {
    413: errorResponse(`The body is larger than ${limit}.`, { too_large: ['invalid_request', `the body is larger than ${limit}`] }),
    415: errorResponse('The Content-Type is not one the route reads.', {
      media_type: ['invalid_request', 'content type application/xml is not accepted; send application/json'],
    }),
  };
}

/** The answers every authenticated `/v1` route may give, added to its own. No route answers 500: an unexpected failure is a 503. */
export function v1Responses(own: Record<number, ResponseDoc>): Record<number, ResponseDoc> {
  return { ...own, 401: unauthorized, 429: rateLimited, 503: unavailable };
}
