import type { z } from 'zod';
import { configError, type Config } from '../config.ts';
import { eventTypesSchema, webhookUrlSchema } from '../webhooks/endpoint.ts';
import { hostProblem } from '../net/private-addresses.ts';
import { secretSchema } from '../webhooks/secret.ts';
import type { WebhookSettings } from '../webhooks/service.ts';

type Problem = { variable: string; message: string };

/** `value` through `schema`, or null with each of its issues added to `problems` under `variable`. */
function valid<T>(variable: string, schema: z.ZodType<T>, value: unknown, problems: Problem[]): T | null {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) problems.push({ variable, message: issue.message });
  return null;
}

/**
 * WEBHOOK_URL / WEBHOOK_SECRET / WEBHOOK_EVENTS, checked as the API checks a registration (URL rules,
 * a `whsec_` secret, known event types); a bad one throws a ConfigError naming it. config.ts has
 * already refused one of URL and secret without the other. Null: no endpoint is configured.
 */
export function configuredWebhook(config: Config): WebhookSettings['configured'] {
  const problems: Problem[] = [];
  const url = config.WEBHOOK_URL === undefined ? null : valid('WEBHOOK_URL', webhookUrlSchema, config.WEBHOOK_URL, problems);
  const secret = config.WEBHOOK_SECRET === undefined ? null : valid('WEBHOOK_SECRET', secretSchema, config.WEBHOOK_SECRET, problems);
  const events = config.WEBHOOK_EVENTS === null ? null : valid('WEBHOOK_EVENTS', eventTypesSchema, config.WEBHOOK_EVENTS, problems);
  if (problems.length > 0) throw configError(problems);
  return url === null || secret === null ? null : { url, secret, events };
}

/**
 * The webhooks' settings, for a process that delivers: the configured endpoint (configuredWebhook),
 * whose URL must also follow the API's address policy so far as it can be told without DNS (a
 * literal address, `localhost`); a name that resolves to a private address is refused at each connect.
 */
export function webhookSettings(config: Config): WebhookSettings {
  const configured = configuredWebhook(config);
  const problem = configured === null || config.WEBHOOK_ALLOW_PRIVATE ? null : hostProblem(new URL(configured.url).hostname);
  if (problem) throw configError([{ variable: 'WEBHOOK_URL', message: `${problem}; set WEBHOOK_ALLOW_PRIVATE=true to allow it` }]);
  return {
    attempts: config.WEBHOOK_ATTEMPTS,
    backoffMs: config.WEBHOOK_BACKOFF_MS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    concurrency: config.WEBHOOK_CONCURRENCY,
    configured,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    maxEndpoints: config.WEBHOOK_MAX_ENDPOINTS,
    maxInFlightPerOwner: config.WEBHOOK_MAX_IN_FLIGHT_PER_OWNER,
    replayMax: config.WEBHOOK_REPLAY_MAX,
    maxWaitingPerEndpoint: config.WEBHOOK_MAX_WAITING_PER_ENDPOINT,
  };
}
