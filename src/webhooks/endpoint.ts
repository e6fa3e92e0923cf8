import { z } from 'zod';
import { DEFAULT_PRODUCER, type Caller } from '../callers.ts';
import { EVENT_TYPES, isEventType, type EventType } from '../events/types.ts';
import { secretSchema } from './secret.ts';

/** A registered webhook endpoint. The secret stays in Redis and in this process; the API shows it once. */
export interface Endpoint {
  id: string;
  url: string;
  /** Subscribed types; null: every type, present and future. */
  events: EventType[] | null;
  secret: string;
  /** Deliveries cover the events after this event id (the newest one when it was registered). */
  since: string;
  createdAt: string;
  /** Who registered it (see ownership.ts); null for the endpoint from WEBHOOK_URL, which is the operators'. */
  owner: Caller | null;
  /** `config` endpoints come from WEBHOOK_URL and cannot be removed through the API. */
  source: 'api' | 'config';
}

const MAX_URL_LENGTH = 2048;

function urlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not carry credentials; authenticate deliveries with the signature';
  if (raw.includes('#')) return 'must not have a fragment';
  if (!url.hostname) return 'must name a host';
  return null;
}

export const webhookUrlSchema = z
  .string()
  .max(MAX_URL_LENGTH)
  .superRefine((raw, ctx) => {
    const problem = urlProblem(raw);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const eventTypesSchema = z
  .array(z.string().refine(isEventType, { message: `must be one of ${EVENT_TYPES.join(', ')}` }))
  .min(1, 'list at least one event type, or leave `events` out for all')
  .max(EVENT_TYPES.length * 2)
  .transform((list) => [...new Set(list.filter(isEventType))]);

/** `POST /v1/webhooks` body. */
export const createEndpointSchema = z.strictObject({
  url: webhookUrlSchema,
  events: eventTypesSchema.optional(),
  secret: secretSchema.optional(),
});

/**
 * How Redis stores an endpoint (JSON in a hash field). Endpoints stored before owners existed belong to
 * the producer `default`; lua/register.lua reads `owner` and `ownerRole` with the same defaults.
 */
export const storedEndpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(EVENT_TYPES)).nullable(),
  secret: z.string(),
  since: z.string(),
  createdAt: z.string(),
  owner: z.string().min(1).default(DEFAULT_PRODUCER),
  ownerRole: z.enum(['producer', 'operator']).default('producer'),
});
export type StoredEndpoint = z.infer<typeof storedEndpointSchema>;

export function wants(endpoint: Endpoint, type: string): boolean {
  return endpoint.events === null || endpoint.events.some((t) => t === type);
}

/** What `GET /v1/webhooks` shows: never the secret. */
export function publicEndpoint(e: Endpoint) {
  return { id: e.id, url: e.url, events: e.events ?? [...EVENT_TYPES], owner: e.owner?.name ?? null, createdAt: e.createdAt, source: e.source };
}
