import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aurpayAuthHeaders } from '../../../../src/providers/aurpay/auth.ts';
import { aurpaySignedHeaders, aurpayStringToSign } from '../../../../src/providers/aurpay/sign.ts';

// Computed here from the published recipe with node:crypto, independently of the code under test.
function expectedSignature(secret: string, origin: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(origin, 'utf8')).digest('base64');
}
const md5 = (text: string): string => createHash('md5').update(Buffer.from(text, 'utf8')).digest('hex');

const secret = 'test-secret-5b0c';
const date = '2025-01-01T12:00:00.000Z';

describe('aurpay signature', () => {
  it('POST with a body: origin carries the body MD5, headers carry token, algorithm, date, MD5, signature', () => {
    const body = '{"ln_invoices":"lntb1…","amount":"0.00017293"}';
    const origin = `HMAC-SHA256 | ${date} | POST /api/bln/withdraw | ${md5(body)}`;
    expect(aurpayStringToSign({ date, method: 'post', path: '/api/bln/withdraw', body })).toBe(origin);
    expect(aurpaySignedHeaders({ apiToken: 'tok', apiSecret: secret, date, method: 'POST', path: '/api/bln/withdraw', body })).toEqual({
      'API-Token': 'tok',
      Algorithm: 'HMAC-SHA256',
      Date: date,
      'Body-MD5': md5(body),
      Signature: expectedSignature(secret, origin),
    });
  });

  it('GET without a body: no Body-MD5, and the query string is not signed', () => {
    const origin = `HMAC-SHA256 | ${date} | GET /api/v2/tx`;
    const headers = aurpaySignedHeaders({ apiToken: 'tok', apiSecret: secret, date, method: 'GET', path: '/api/v2/tx?page=2&size=50', body: null });
    expect(headers).toEqual({ 'API-Token': 'tok', Algorithm: 'HMAC-SHA256', Date: date, Signature: expectedSignature(secret, origin) });
  });

  it('signs the exact bytes: non-ASCII text is hashed as UTF-8, one changed byte changes everything', () => {
    const body = '{"description":"café ☕"}';
    const a = aurpaySignedHeaders({ apiToken: 't', apiSecret: secret, date, method: 'POST', path: '/p', body });
    const b = aurpaySignedHeaders({ apiToken: 't', apiSecret: secret, date, method: 'POST', path: '/p', body: body.replace('é', 'e') });
    expect(a['Body-MD5']).toBe(md5(body));
    expect(a.Signature).toBe(expectedSignature(secret, `HMAC-SHA256 | ${date} | POST /p | ${md5(body)}`));
    expect(b.Signature).not.toBe(a.Signature);
  });
});

describe('aurpayAuthHeaders', () => {
  const now = new Date(date);

  it('without a secret: API-Key only', () => {
    expect(aurpayAuthHeaders({ apiKey: 'key-1234', apiSecret: null, apiToken: null }, { method: 'POST', path: '/x', body: '{}' }, now)).toEqual({
      'API-Key': 'key-1234',
    });
  });

  it('with a secret: signature auth, API-Token falls back to the API key, Date is ISO-8601 UTC', () => {
    const headers = aurpayAuthHeaders({ apiKey: 'key-1234', apiSecret: secret, apiToken: null }, { method: 'GET', path: '/x', body: null }, now);
    expect(headers['API-Token']).toBe('key-1234');
    expect(headers.Date).toBe(date);
    expect(headers['API-Key']).toBeUndefined();
    const withToken = aurpayAuthHeaders({ apiKey: 'key-1234', apiSecret: secret, apiToken: 'token-9' }, { method: 'GET', path: '/x', body: null }, now);
    expect(withToken['API-Token']).toBe('token-9');
  });
});
