import { z } from 'zod';
import { eventTypesSchema } from '../../webhooks/endpoint.ts';
import { replayBodySchema } from '../../webhooks/replay.ts';
import { withdrawalRequestSchema } from '../../withdrawals/request.ts';
import * as s from '../schemas/index.ts';
import { override, refineJsonSchema, type JsonSchema } from './refinements.ts';

export type { JsonSchema };

export const COMPONENT_URI = (id: string): string => `#/components/schemas/${id}`;

export type ComponentRegistry = z.core.$ZodRegistry<{ id: string }>;

/** Schemas every document shows under `#/components/schemas`; the other request schemas are named where routes use them. */
const SHARED: ReadonlyArray<readonly [z.ZodType, string]> = [
  [withdrawalRequestSchema, 'WithdrawalRequest'],
  [s.statusSchema, 'Status'],
  [s.providerSchema, 'Provider'],
  [s.errorCodeSchema, 'ErrorCode'],
  [s.errorBodySchema, 'ErrorBody'],
  [s.apiErrorSchema, 'Error'],
  [s.failureSchema, 'Failure'],
  [s.historyEntrySchema, 'HistoryEntry'],
  [s.withdrawalRecordSchema, 'WithdrawalRecord'],
  [s.withdrawalViewSchema, 'WithdrawalView'],
  [s.batchAnswerSchema, 'BatchAnswer'],
  [s.batchRejectionSchema, 'BatchRejection'],
  [s.batchSummarySchema, 'BatchSummary'],
  [s.eventIdSchema, 'EventId'],
  [s.eventTypeSchema, 'EventType'],
  [s.eventSchema, 'Event'],
  [s.withdrawalEventSchema, 'WithdrawalEvent'],
  [s.batchDoneEventSchema, 'BatchDoneEvent'],
  [s.eventPageSchema, 'EventPage'],
  [s.webhookEndpointSchema, 'WebhookEndpoint'],
  [s.createdWebhookSchema, 'CreatedWebhookEndpoint'],
  [s.webhookListSchema, 'WebhookEndpointList'],
  [s.replayAnswerSchema, 'ReplayAnswer'],
  [s.healthSchema, 'Health'],
  [s.readySchema, 'Ready'],
  [s.notReadySchema, 'NotReady'],
];

/** A fresh registry holding the shared schemas (one per document, so names never leak between servers). */
export function sharedRegistry(): ComponentRegistry {
  const registry: ComponentRegistry = z.registry<{ id: string }>();
  for (const [schema, id] of SHARED) registry.add(schema, { id });
  return registry;
}

/** Adds `schema` under `id`, refusing a second schema under a name already taken. */
export function nameSchema(registry: ComponentRegistry, schema: z.ZodType, id: string): void {
  const known = registry.get(schema);
  if (known) {
    if (known.id !== id) throw new Error(`schema named both ${known.id} and ${id} in the OpenAPI document`);
    return;
  }
  registry.add(schema, { id });
}

refineJsonSchema(withdrawalRequestSchema, (json) => Object.assign(json, { oneOf: [{ required: ['invoice'] }, { required: ['lightningAddress', 'amountMsat'] }, { required: ['address'] }] }));
refineJsonSchema(eventTypesSchema, (json) => Object.assign(json, { items: { $ref: COMPONENT_URI('EventType') } }));
refineJsonSchema(replayBodySchema.options[1], (json) => Object.assign(json, { anyOf: [{ required: ['after'] }, { required: ['until'] }] }));

function clean(json: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = json;
  return rest;
}

/**
 * JSON Schema (2020-12, OpenAPI 3.1's dialect) of every schema in the registry. Request schemas
 * are read as input (what a client may send: defaults make fields optional); the response schemas
 * have no defaults or transforms, so input and output agree for them.
 */
export function componentSchemas(registry: ComponentRegistry): Record<string, JsonSchema> {
  const out = z.toJSONSchema(registry, { io: 'input', unrepresentable: 'any', uri: COMPONENT_URI, override });
  return Object.fromEntries(Object.entries(out.schemas).map(([id, json]) => [id, clean(json)]));
}

/** An unnamed schema, written inline. */
export function inlineSchema(schema: z.ZodType): JsonSchema {
  return clean(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', override }));
}
