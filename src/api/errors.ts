import type { FastifyError, FastifyInstance } from 'fastify';
import type { RedisClient } from '../redis.ts';
import { apiError, type ApiError } from '../withdrawals/errors.ts';

export function errorBody(error: ApiError): { error: ApiError } {
  return { error };
}

/** Maps framework and infrastructure errors to the API's error body; never leaks internals. */
export function installErrorHandlers(app: FastifyInstance, redis: RedisClient): void {
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody(apiError('not_found', `no route ${req.method} ${req.url.split('?')[0]}`)));
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.code(413).send(errorBody(apiError('payload_too_large', `the body is larger than ${app.initialConfig.bodyLimit} bytes`)));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply
          .code(415)
          .send(errorBody(apiError('unsupported_media_type', `content type ${req.headers['content-type'] ?? '(none)'} is not accepted; send application/json`)));
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return reply.code(400).send(errorBody(apiError('invalid_request', `the body is not valid JSON: ${err.message}`)));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send(errorBody(apiError('invalid_request', err.message)));
    }
    if (redis.status !== 'ready') {
      req.log.error({ err }, 'Redis unavailable');
      return reply.code(503).send(errorBody(apiError('unavailable', 'Redis is unavailable; nothing was accepted, try again')));
    }
    req.log.error({ err }, 'unexpected error');
    return reply.code(500).send(errorBody(apiError('internal', 'internal error; nothing was changed by this request if it was a write, retry with the same id')));
  });
}
