import { z } from 'zod';
import { CSV_COLUMNS } from '../../../batch-file/csv.ts';
import { BATCH_MEDIA_TYPES } from '../../../batch-file/index.ts';
import { MAX_BATCH_ITEMS } from '../../../withdrawals/batches.ts';
import { batchAnswerSchema, batchSummarySchema } from '../../schemas/index.ts';
import { COMPONENT_URI } from '../components.ts';
import * as ex from '../examples.ts';
import { refineJsonSchema } from '../refinements.ts';
import { bodyErrors, errorResponse, JSON_TYPE, jsonResponse, v1Responses } from '../responses.ts';
import type { MediaDoc, RouteDoc } from '../types.ts';

const TAG = 'batches';

function fileMedia(format: string): MediaDoc {
  return format === 'csv'
    ? { schema: z.string().describe(`CSV with a header line; columns (any order): ${CSV_COLUMNS.join(',')}`), examples: { csv: { value: ex.batchCsv } } }
    : { schema: z.string().describe('one withdrawal body (as POST /v1/withdrawals) per line'), examples: { ndjson: { value: ex.batchNdjson } } };
}

/** `POST /v1/batches`, documented from the schemas the route validates with. */
export function postBatchDoc(schemas: { body: z.ZodObject; query: z.ZodObject }): RouteDoc {
  // Items are checked one by one (an invalid item is rejected in the answer, not the batch): say what each should be.
  refineJsonSchema(schemas.body, (json) => {
    const props = json.properties as Record<string, Record<string, unknown>> | undefined;
    if (props?.items) props.items.items = { $ref: COMPONENT_URI('WithdrawalRequest') };
  });
  const files = Object.fromEntries(Object.entries(BATCH_MEDIA_TYPES).map(([type, format]) => [type, fileMedia(format)]));
  return {
    operationId: 'createBatch',
    summary: 'Enqueue many withdrawals as one batch',
    description:
      'JSON `{ id?, items }`, or a file: NDJSON (one withdrawal body per line) or CSV. Valid items are accepted even when ' +
      `others are rejected (listed in \`rejected\`); a replayed batch accepts nothing twice. At most ${MAX_BATCH_ITEMS} items. ` +
      'For NDJSON and CSV the batch id comes from `?id=` (a fresh one without it).',
    tags: [TAG],
    auth: 'bearer',
    query: schemas.query,
    paramDocs: { id: { description: 'the batch id (NDJSON/CSV bodies; a JSON body may give it as `id` instead)', example: ex.batchAnswer.batchId } },
    body: {
      required: true,
      content: {
        [JSON_TYPE]: { schema: schemas.body, name: 'BatchRequest', examples: { batch: { value: ex.batchRequest } } },
        ...files,
      },
    },
    responses: v1Responses({
      202: jsonResponse('The batch was read; every valid item was accepted.', batchAnswerSchema, { partly: { value: ex.batchAnswer } }),
      400: errorResponse('The body or the query is invalid (no item was read), or a file line could not be read.', {
        invalid_request: ['invalid_request', 'invalid request: items: a batch needs at least one item'],
      }),
      ...bodyErrors('4 MiB as JSON, or 128 MiB or 100000 items as NDJSON or CSV (the items before the limit were accepted: the message says so)'),
    }),
  };
}

export const getBatchDoc: RouteDoc = {
  operationId: 'getBatch',
  summary: 'Progress of a batch',
  tags: [TAG],
  auth: 'bearer',
  params: z.object({ id: z.string() }),
  paramDocs: { id: { description: 'the batch id', example: ex.batchSummary.batchId } },
  responses: v1Responses({
    200: jsonResponse('Items and amounts per status; `done` once every item is terminal.', batchSummarySchema, { running: { value: ex.batchSummary } }),
    404: errorResponse('No batch has this id.', { not_found: ['not_found', 'no batch batch-2026-11-21'] }),
  }),
};
