import { randomUUID } from 'node:crypto';
import { ServerResponse, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logger.ts';
import type { RedisLiveness } from '../redis.ts';
import { isRedisOutage } from '../redis-outage.ts';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.ts';
import { apiError, type ApiError, type ErrorCode } from '../withdrawals/errors.ts';
import { ReplicationShortfallError } from '../withdrawals/store/replication.ts';

export function errorBody(error: ApiError): { error: ApiError } {
  return { error };
}

interface Answer {
  status: number;
  error: ApiError;
}

const answer = (status: number, code: ErrorCode, message: string): Answer => ({ status, error: apiError(code, message) });

/** Said of every unexpected failure: the contract promises that a retry with the same id is safe. */
export const UNEXPECTED_MESSAGE = 'the service could not complete this request; nothing was accepted, retry with the same id';

/**
 * Fastify's own client errors (a broken URL, a body too large, a wrong content type, broken JSON...)
 * as the API's error body with a code of the contract: the framework's body never reaches a client.
 * Null when the error is not the client's doing.
 */
export function clientError(err: FastifyError, req: { headers: IncomingMessage['headers'] }, bodyLimit: number): Answer | null {
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      return answer(400, 'invalid_request', 'the URL is not valid: broken percent-encoding');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return answer(400, 'invalid_request', 'a part of the URL is too long (ids are at most 128 characters)');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return answer(413, 'invalid_request', `the body is larger than ${bodyLimit} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return answer(415, 'invalid_request', `content type ${String(req.headers['content-type'] ?? '(none)').slice(0, 100)} is not accepted; send application/json`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return answer(400, 'invalid_request', 'the body is empty but its content type says JSON; send a JSON body, or no content type');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return answer(400, 'invalid_request', 'the body is not valid JSON');
  }
  // The JSON parser's own SyntaxError (and its prototype-poisoning refusal) carries a 400.
  if (err instanceof SyntaxError) return answer(400, 'invalid_request', `the body is not valid JSON: ${err.message.slice(0, 200)}`);
  const status = err.statusCode ?? 0;
  if (status < 400 || status >= 500) return null;
  if (status === 401) return answer(401, 'unauthorized', err.message);
  if (status === 403) return answer(403, 'forbidden', err.message);
  if (status === 404) return answer(404, 'not_found', err.message);
  // 413 and 415 keep their HTTP meaning; every other client error is a 400.
  return answer(status === 413 || status === 415 ? status : 400, 'invalid_request', err.message);
}

/** Said when the replicas did not confirm a withdrawal in time (REDIS_MIN_REPLICAS_ACK). */
export const UNCONFIRMED_MESSAGE =
  'the Redis replicas did not confirm this request in time; it may be stored but is not accepted: send the same body again (it is paid at most once)';

function reply503(req: FastifyRequest, reply: FastifyReply, err: unknown, redis: RedisLiveness): FastifyReply {
  if (err instanceof ReplicationShortfallError) {
    req.log.warn({ err: err.message }, 'replicas did not confirm the write');
    return reply.code(503).send(errorBody(apiError('unavailable', UNCONFIRMED_MESSAGE)));
  }
  // A command lost to a failover fails while the connection itself may say `ready` again.
  if (redis.status !== 'ready' || isRedisOutage(err)) {
    req.log.error({ err }, 'Redis unavailable');
    return reply.code(503).send(errorBody(apiError('unavailable', 'Redis is unavailable; nothing was accepted, try again')));
  }
  // Not `req.raw.destroyed`: a request stream is destroyed as soon as its body has been read.
  if (req.raw.readableAborted || req.raw.socket?.destroyed === true) {
    // The client went away mid-request (an aborted upload): not a fault of the service.
    req.log.info({ err }, 'request aborted by the client');
  } else {
    req.log.error({ err }, 'unexpected error');
  }
  return reply.code(503).send(errorBody(apiError('unavailable', UNEXPECTED_MESSAGE)));
}

/** Maps framework and infrastructure errors to the API's error body; never leaks internals, never answers 500. */
export function installErrorHandlers(app: FastifyInstance, redis: RedisLiveness): void {
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(errorBody(apiError('not_found', `no route ${req.method} ${req.url.split('?')[0]?.slice(0, 200)}`)));
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const known = clientError(err, req, req.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 0);
    // A body too large is left unread: close the connection rather than drain it.
    if (known?.status === 413) void reply.header('connection', 'close');
    if (known) return reply.code(known.status).send(errorBody(known.error));
    return reply503(req, reply, err, redis);
  });
  // Node answers an `Expect` it does not know with a bare 417 unless someone listens.
  app.server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    writeError(res, answer(417, 'invalid_request', 'only Expect: 100-continue is understood'));
  });
}

function writeError(res: ServerResponse, a: Answer): void {
  const body = JSON.stringify(errorBody(a.error));
  res.writeHead(a.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
    [REQUEST_ID_HEADER]: requestIdOf(res.req),
  });
  res.end(body);
}

/**
 * Fastify's `frameworkErrors`: the errors its router raises before any route or hook runs
 * (FST_ERR_BAD_URL, FST_ERR_MAX_PARAM_LENGTH), answered as every other error.
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  // No hook ran: the request id goes on here.
  void reply.header(REQUEST_ID_HEADER, req.id);
  const known = clientError(err, req, 0);
  if (known) {
    void reply.code(known.status).send(errorBody(known.error));
    return;
  }
  req.log.error({ err }, 'unexpected error');
  void reply.code(503).send(errorBody(apiError('unavailable', UNEXPECTED_MESSAGE)));
}

const CONNECTION_ERRORS: Readonly<Record<string, Answer>> = {
  ERR_HTTP_REQUEST_TIMEOUT: answer(408, 'invalid_request', 'the request took too long to arrive'),
  HPE_HEADER_OVERFLOW: answer(431, 'invalid_request', 'the request headers are too large'),
};

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the bytes (not HTTP, an unknown method,
 * headers too large) or the request took too long to arrive. Answers with the error body, unless an
 * answer already began on this connection, then closes it.
 */
export function clientErrorHandler(logger: Logger): (err: Error & { code?: string }, socket: Socket) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const a = (err.code !== undefined && Object.hasOwn(CONNECTION_ERRORS, err.code) ? CONNECTION_ERRORS[err.code] : undefined) ??
      answer(400, 'invalid_request', 'the request is not valid HTTP/1.1');
    logger.debug({ err }, 'client error');
    const current: unknown = Reflect.get(socket, '_httpMessage');
    const started = current instanceof ServerResponse && current.headersSent;
    if (socket.writable && !started) {
      const body = JSON.stringify(errorBody(a.error));
      socket.write(
        `HTTP/1.1 ${a.status} ${STATUS_CODES[a.status] ?? 'Bad Request'}\r\n` +
          `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          // The request could not be read: its id (if any) neither.
          `X-Request-Id: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(err);
  };
}

/**
 * Once the server is closing, a request that still arrives (pipelined, or on a keep-alive
 * connection) answers 503 `unavailable` with the error body and closes its connection; nothing runs.
 */
export function answerUnavailableWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_req, reply) => {
    if (!closing) return;
    return reply
      .code(503)
      .header('connection', 'close')
      .send(errorBody(apiError('unavailable', 'this process is shutting down; nothing was accepted, retry with the same id')));
  });
}
