import { bech32 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { isBolt12Offer, parseDestination } from '../../../src/lnurl/destination.ts';

/** An LNURL string (LUD-01) of `url`. */
function lnurl(url: string): string {
  return bech32.encode('lnurl', bech32.toWords(new TextEncoder().encode(url)), 2000);
}

describe('parseDestination: Lightning Addresses (LUD-16)', () => {
  it('reads name@domain as its well-known payRequest URL over https', () => {
    expect(parseDestination('alice@wallet.example.com', false)).toEqual({ ok: true, kind: 'address', url: 'https://wallet.example.com/.well-known/lnurlp/alice' });
    expect(parseDestination('Bob.Smith+tips@Example.ORG', false)).toEqual({ ok: true, kind: 'address', url: 'https://example.org/.well-known/lnurlp/bob.smith%2Btips' });
  });

  it.each([
    ['no @', 'alice.example.com'],
    ['no name', '@example.com'],
    ['no domain', 'alice@'],
    ['a name with a slash', 'al/ice@example.com'],
    ['a path after the domain', 'alice@example.com/x'],
    ['credentials in the domain', 'alice@bob@example.com'],
    ['a query', 'alice@example.com?x=1'],
    ['a single-label domain', 'alice@intranet'],
    ['a port without LNURL_ALLOW_PRIVATE', 'alice@example.com:8443'],
    ['spaces', 'ali ce@example.com'],
  ])('refuses %s as invalid_request', (_what, value) => {
    expect(parseDestination(value, false)).toMatchObject({ ok: false, code: 'invalid_request' });
  });

  it.each(['alice@127.0.0.1', 'alice@localhost', 'alice@api.localhost', 'alice@[::1]', 'alice@[::ffff:127.0.0.1]', 'alice@2130706433', 'alice@127.1', 'alice@10.0.0.1', 'alice@169.254.169.254'])(
    'refuses the non-public literal host of %s unless LNURL_ALLOW_PRIVATE',
    (value) => {
      expect(parseDestination(value, false)).toMatchObject({ ok: false, code: 'invalid_request', message: expect.stringMatching(/LNURL_ALLOW_PRIVATE/) });
    },
  );

  it('reaches a loopback host and port over http with LNURL_ALLOW_PRIVATE', () => {
    expect(parseDestination('alice@127.0.0.1:8080', true)).toEqual({ ok: true, kind: 'address', url: 'http://127.0.0.1:8080/.well-known/lnurlp/alice' });
    expect(parseDestination('alice@localhost:8080', true)).toEqual({ ok: true, kind: 'address', url: 'http://localhost:8080/.well-known/lnurlp/alice' });
    expect(parseDestination('alice@[::1]:8080', true)).toEqual({ ok: true, kind: 'address', url: 'http://[::1]:8080/.well-known/lnurlp/alice' });
    // A public name stays https even then.
    expect(parseDestination('alice@wallet.example.com', true)).toEqual({ ok: true, kind: 'address', url: 'https://wallet.example.com/.well-known/lnurlp/alice' });
  });

  it('refuses .onion hosts as unsupported_destination, whatever LNURL_ALLOW_PRIVATE says', () => {
    for (const allow of [false, true]) {
      expect(parseDestination('alice@abcdefghijklmnop.onion', allow)).toMatchObject({ ok: false, code: 'unsupported_destination' });
      expect(parseDestination(lnurl('http://abcdefghijklmnop.onion/lnurlp/alice'), allow)).toMatchObject({ ok: false, code: 'unsupported_destination' });
    }
  });
});

describe('parseDestination: LNURL strings (LUD-01)', () => {
  it('decodes lnurl1... in either case into the URL it encodes', () => {
    const url = 'https://service.example.com/api/v1/lnurl/pay/abc?tag=x';
    expect(parseDestination(lnurl(url), false)).toEqual({ ok: true, kind: 'lnurl', url });
    expect(parseDestination(lnurl(url).toUpperCase(), false)).toEqual({ ok: true, kind: 'lnurl', url });
    expect(parseDestination(`lightning:${lnurl(url).toUpperCase()}`, false)).toEqual({ ok: true, kind: 'lnurl', url });
  });

  it.each([
    ['a broken checksum', `${lnurl('https://service.example.com/p').slice(0, -1)}q`],
    ['another prefix', bech32.encode('lnurx', bech32.toWords(new TextEncoder().encode('https://a.example/p')), 2000).replace('lnurx', 'lnurl1x')],
    ['mixed case', lnurl('https://service.example.com/p').replace('lnurl1', 'LNURL1')],
    ['a plain http URL', lnurl('http://service.example.com/p')],
    ['a loopback URL', lnurl('https://127.0.0.1/p')],
    ['a decimal loopback URL', lnurl('https://2130706433/p')],
    ['a localhost URL', lnurl('https://localhost/p')],
    ['something that is no URL', lnurl('not a url')],
    ['an ftp URL', lnurl('ftp://service.example.com/p')],
  ])('refuses %s as invalid_request', (_what, value) => {
    expect(parseDestination(value, false)).toMatchObject({ ok: false, code: 'invalid_request' });
  });

  it('takes an http loopback URL with LNURL_ALLOW_PRIVATE', () => {
    expect(parseDestination(lnurl('http://127.0.0.1:9000/lnurlp/bob'), true)).toEqual({ ok: true, kind: 'lnurl', url: 'http://127.0.0.1:9000/lnurlp/bob' });
  });
});

describe('isBolt12Offer', () => {
  it('knows an offer from an invoice', () => {
    expect(isBolt12Offer('lno1pg257enxv4ezqcneype82um50ynhxgrwdajx283qfwdpl28qqmc78ymlvhmxcsywdk5wrjnj36jryg488qwlrnzyjczlqs85ck65ycmkdk92smwt9zuewdzfe7v4aavvaz5kgv9mkk63v3s0ge0f099kssh3yc95qztx504hu92hnx8ctzhtt08pgk0texz0509tk')).toBe(true);
    expect(isBolt12Offer('LNO1QQ')).toBe(true);
    expect(isBolt12Offer('lnbcrt10u1pj...')).toBe(false);
  });
});
