import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { BATCH_MEDIA_TYPES, BatchFileError, batchFileItems, BodyTooLargeError, limitBytes, type BatchFileFormat } from '../batch-file/index.ts';
import { mayAccess } from '../callers.ts';
import { callerOf } from './auth.ts';
import { BatchIdTakenError, BatchTooLargeError, enqueueBatch, MAX_BATCH_ITEMS, newBatchId } from '../withdrawals/batches.ts';
import type { EnqueueDeps } from '../withdrawals/enqueue.ts';
import { apiError, invalidRequest } from '../withdrawals/errors.ts';
import { withdrawalIdSchema } from '../withdrawals/request.ts';
import { errorBody } from './errors.ts';
import { getBatchDoc, postBatchDoc } from './openapi/docs/batches.ts';

/** NDJSON and CSV batches, read as a stream: a 100,000-row batch of full invoices fits well within this. */
export const BATCH_BODY_LIMIT = 128 * 1024 * 1024;

/**
 * `application/json` batches, which Fastify buffers and parses whole on the event loop: kept small
 * enough that parsing one never holds the loop for long (interface.md "Limits"). Larger batches go
 * as NDJSON or CSV.
 */
export const BATCH_JSON_LIMIT = 4 * 1024 * 1024;

export const batchBodySchema = z.strictObject({
  id: withdrawalIdSchema.optional(),
  items: z.array(z.unknown()).min(1, 'a batch needs at least one item').max(MAX_BATCH_ITEMS),
});

const batchQuerySchema = z.object({ id: withdrawalIdSchema.optional() });

/** What the NDJSON and CSV parsers hand the route: the body still unread. */
class StreamedBody {
  constructor(
    readonly format: BatchFileFormat,
    readonly stream: Readable,
  ) {}
}

function tooLarge(reply: FastifyReply, message: string) {
  return reply.code(413).header('connection', 'close').send(errorBody(apiError('invalid_request', message)));
}

/**
 * `POST /v1/batches` (JSON, NDJSON or CSV) and `GET /v1/batches/:id`. Registered inside the
 * authenticated scope; the stream parsers live in their own child scope so that no other route
 * accepts CSV or NDJSON.
 */
export async function batchRoutes(app: FastifyInstance, deps: EnqueueDeps): Promise<void> {
  await app.register(async (scope) => {
    for (const [mediaType, format] of Object.entries(BATCH_MEDIA_TYPES)) {
      // No parseAs: the handler gets the raw stream and reads it while it enqueues.
      scope.addContentTypeParser(mediaType, (_req, payload, done) => done(null, new StreamedBody(format, payload)));
    }

    const openapi = postBatchDoc({ body: batchBodySchema, query: batchQuerySchema });
    // bodyLimit bounds only the bodies Fastify buffers (JSON); the streamed ones are counted below.
    scope.post<{ Querystring: unknown }>('/batches', { bodyLimit: BATCH_JSON_LIMIT, config: { openapi } }, async (req, reply) => {
      const query = batchQuerySchema.safeParse(req.query);
      if (!query.success) return reply.code(400).send(errorBody(invalidRequest(query.error)));
      if (!(req.body instanceof StreamedBody)) {
        const parsed = batchBodySchema.safeParse(req.body);
        if (!parsed.success) return reply.code(400).send(errorBody(invalidRequest(parsed.error)));
        const { id } = parsed.data;
        if (id !== undefined && query.data.id !== undefined && id !== query.data.id) {
          return reply.code(400).send(errorBody(apiError('invalid_request', `the batch id is ${id} in the body but ${query.data.id} in ?id=; give one`)));
        }
        try {
          return await reply.code(202).send(await enqueueBatch(deps, callerOf(req), id ?? query.data.id ?? newBatchId(), parsed.data.items));
        } catch (err) {
          if (err instanceof BatchIdTakenError) return reply.code(409).send(errorBody(apiError('idempotency_conflict', err.message)));
          throw err;
        }
      }

      const { format, stream } = req.body;
      // fastify checks bodyLimit only on bodies it buffers; a streamed one is counted here.
      if (Number(req.headers['content-length']) > BATCH_BODY_LIMIT) return tooLarge(reply, `the body is larger than ${BATCH_BODY_LIMIT} bytes`);
      const batchId = query.data.id ?? newBatchId();
      try {
        const answer = await enqueueBatch(deps, callerOf(req), batchId, batchFileItems(format, limitBytes(stream, BATCH_BODY_LIMIT)));
        return await reply.code(202).send(answer);
      } catch (err) {
        // The body was not read: close the connection rather than drain it.
        if (err instanceof BatchIdTakenError) return reply.code(409).header('connection', 'close').send(errorBody(apiError('idempotency_conflict', err.message)));
        if (err instanceof BatchFileError) return reply.code(400).header('connection', 'close').send(errorBody(apiError('invalid_request', err.message)));
        if (err instanceof BodyTooLargeError || err instanceof BatchTooLargeError) {
          // The items before the limit were accepted (and will be paid): say so.
          return tooLarge(
            reply,
            `${err.message}; the items before the limit were accepted under batch ${batchId} (GET /v1/batches/${batchId}); ` +
              'send the remaining items as another batch',
          );
        }
        throw err;
      }
    });
  });

  app.get<{ Params: { id: string } }>('/batches/:id', { config: { openapi: getBatchDoc } }, async (req, reply) => {
    const batch = await deps.store.ownedBatch(req.params.id);
    // Another producer's batch answers exactly as a missing one.
    const summary = batch && mayAccess(callerOf(req), batch.owner) ? batch.summary : null;
    if (!summary) return reply.code(404).send(errorBody(apiError('not_found', `no batch ${req.params.id}`)));
    return summary;
  });
}
