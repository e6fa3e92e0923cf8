import { aurpaySignedHeaders } from './sign.ts';

/**
 * Which of Aurpay's two authentication methods a request uses: API-Key (the
 * default) or, when an API secret is configured, signature authentication.
 */
export interface AurpayCredentials {
  apiKey: string;
  apiSecret: string | null;
  /** Signature auth token; falls back to the API key. */
  apiToken: string | null;
}

export function aurpayAuthHeaders(
  credentials: AurpayCredentials,
  request: { method: string; path: string; body: string | null },
  now: Date,
): Record<string, string> {
  if (credentials.apiSecret === null) return { 'API-Key': credentials.apiKey };
  return aurpaySignedHeaders({
    apiToken: credentials.apiToken ?? credentials.apiKey,
    apiSecret: credentials.apiSecret,
    date: now.toISOString(),
    ...request,
  });
}
