/** What a fake provider does with one request: answer it, hang, or reset the connection. */
import type { IncomingHttpHeaders } from 'node:http';

export interface SandboxRequest {
  method: string;
  /** URL path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The exact body bytes received. */
  rawBody: Buffer;
}

export interface Answer {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

export type Outcome = { kind: 'answer'; answer: Answer } | { kind: 'hang' } | { kind: 'reset' };

/** An outcome plus the route label it is counted under. */
export interface Routed {
  route: string;
  outcome: Outcome;
}

export type Handler = (request: SandboxRequest) => Routed;

export function jsonAnswer(status: number, body: unknown, headers?: Record<string, string>): Outcome {
  const answer: Answer = { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) };
  if (headers) answer.headers = headers;
  return { kind: 'answer', answer };
}

export function rawAnswer(status: number, contentType: string, body: string): Outcome {
  return { kind: 'answer', answer: { status, contentType, body } };
}

/** True when the request declares a JSON body (any charset parameter allowed). */
export function isJsonContentType(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type'];
  if (typeof type !== 'string') return false;
  return type.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** Parses a JSON object body; null when it is not valid JSON or not an object. */
export function parseJsonObject(raw: Buffer): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  return value as Record<string, unknown>;
}
