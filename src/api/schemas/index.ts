/** zod schemas of what the HTTP API answers; the OpenAPI document is generated from them. */
export * from './batch.ts';
export * from './common.ts';
export * from './error.ts';
export * from './event.ts';
export * from './health.ts';
export * from './record.ts';
export * from './webhook.ts';
