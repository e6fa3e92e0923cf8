/** Shared helpers for the sandbox tests: invoices, and plain undici calls. */
import { createHash } from 'node:crypto';
import { request } from 'undici';
import { encodeInvoice } from '../../../src/invoices/encode.ts';
import type { Network } from '../../../src/invoices/network.ts';

export const PRIVATE_KEY = 'e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734';
export const AURPAY_KEY = 'aurpay-test-key';
export const TURINPAY_KEY = 'turinpay-test-key';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface TestInvoice {
  invoice: string;
  paymentHash: string;
}

/** A signed invoice whose payment hash is derived from `label` (so tests can steer hash parity). */
export function makeInvoice(label: string, amountMsat: bigint | null, network: Network = 'regtest'): TestInvoice {
  const paymentHash = sha256Hex(`hash:${label}`);
  const invoice = encodeInvoice({
    network,
    amountMsat,
    paymentHash,
    paymentSecret: sha256Hex(`secret:${label}`),
    timestamp: Math.floor(Date.now() / 1000),
    expirySeconds: 3600,
    description: `sandbox test ${label}`,
    privateKey: PRIVATE_KEY,
  });
  return { invoice, paymentHash };
}

/** First label (label-0, label-1, …) whose payment hash's last hex digit has the wanted parity. */
export function makeInvoiceWithParity(label: string, amountMsat: bigint, odd: boolean): TestInvoice {
  for (let i = 0; ; i += 1) {
    const candidate = makeInvoice(`${label}-${i}`, amountMsat);
    const last = Number.parseInt(candidate.paymentHash.slice(-1), 16);
    if ((last % 2 === 1) === odd) return candidate;
  }
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export async function call(
  url: string,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body?: string,
): Promise<Reply> {
  const res = await request(url, { method, headers, body, headersTimeout: 5000, bodyTimeout: 5000 });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

export function postJson(url: string, headers: Record<string, string>, value: unknown): Promise<Reply> {
  return call(url, 'POST', { 'content-type': 'application/json', ...headers }, JSON.stringify(value));
}

/** Parses a reply body as a JSON object (fails the test otherwise). */
export function json(reply: Reply): Record<string, unknown> {
  const value: unknown = JSON.parse(reply.text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`not a JSON object: ${reply.text}`);
  return value as Record<string, unknown>;
}

/** Reads a nested field, e.g. field(body, 'data', 'status'). */
export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
