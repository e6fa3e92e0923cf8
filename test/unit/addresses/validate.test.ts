/** validateAddress against the BIP-173 / BIP-350 test vectors and base58check addresses per network. */
import { describe, expect, it } from 'vitest';
import { validateAddress } from '../../../src/addresses/validate.ts';
import type { AddressType } from '../../../src/addresses/validate.ts';
import type { Network } from '../../../src/invoices/network.ts';

/** BIP-350 "valid segwit addresses" (which supersede BIP-173's for v1+), with the network their hrp names. */
const VALID_SEGWIT: ReadonlyArray<readonly [string, Network, AddressType]> = [
  ['BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4', 'bitcoin', 'p2wpkh'],
  ['tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7', 'testnet', 'p2wsh'],
  ['bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y', 'bitcoin', 'witness'],
  ['BC1SW50QGDZ25J', 'bitcoin', 'witness'],
  ['bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs', 'bitcoin', 'witness'],
  ['tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy', 'testnet', 'p2wsh'],
  ['tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c', 'signet', 'p2tr'],
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0', 'bitcoin', 'p2tr'],
  // BIP-173 examples
  ['bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3', 'bitcoin', 'p2wsh'],
  ['bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', 'regtest', 'p2wpkh'],
];

/** BIP-350 "invalid segwit addresses", each with its reason, checked on the network its hrp would fit. */
const INVALID_SEGWIT: ReadonlyArray<readonly [string, Network, RegExp]> = [
  ['tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut', 'testnet', /base58/], // invalid hrp
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd', 'bitcoin', /must use bech32m/],
  ['tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf', 'testnet', /must use bech32m/],
  ['BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL', 'bitcoin', /must use bech32m/],
  ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh', 'bitcoin', /must use bech32, not bech32m/],
  ['tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47', 'testnet', /must use bech32, not bech32m/],
  ['bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4', 'bitcoin', /checksum|non-bech32/],
  ['BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R', 'bitcoin', /witness version 17/],
  ['bc1pw5dgrnzv', 'bitcoin', /1 bytes; it must be 2 to 40/],
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav', 'bitcoin', /41 bytes/],
  ['BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P', 'bitcoin', /20 or 32 bytes, not 16/],
  ['tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq', 'testnet', /mixes upper and lower case/],
  ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf', 'bitcoin', /padding/],
  ['tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j', 'testnet', /padding/],
  ['bc1gmk9yu', 'bitcoin', /no witness version|checksum/],
  // BIP-173 invalid addresses
  ['bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du', 'bitcoin', /padding|checksum/],
  ['tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv', 'testnet', /padding|checksum/],
  ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', 'bitcoin', /checksum/],
];

/** Base58check addresses (Bitcoin Core key_io / BIP-13 style examples). */
const VALID_BASE58: ReadonlyArray<readonly [string, Network, AddressType]> = [
  ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', 'bitcoin', 'p2pkh'],
  ['3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', 'bitcoin', 'p2sh'],
  ['1RustyRX2oai4EYYDpQGWvEL62BBGqN9T', 'bitcoin', 'p2pkh'],
  ['3EktnHQD7RiAE6uzMj2ZifT9YgRrkSgzQX', 'bitcoin', 'p2sh'],
  ['mk2QpYatsKicvFVuTAQLBryyccRXMUaGHP', 'testnet', 'p2pkh'],
  ['mk2QpYatsKicvFVuTAQLBryyccRXMUaGHP', 'signet', 'p2pkh'],
  ['mk2QpYatsKicvFVuTAQLBryyccRXMUaGHP', 'regtest', 'p2pkh'],
  ['2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc', 'testnet', 'p2sh'],
];

describe('validateAddress', () => {
  it.each(VALID_SEGWIT)('accepts segwit %s on %s as %s', (address, network, type) => {
    expect(validateAddress(address, network)).toEqual({ ok: true, type });
  });

  it.each(INVALID_SEGWIT)('refuses segwit %s on %s', (address, network, reason) => {
    const result = validateAddress(address, network);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(reason);
  });

  it.each(VALID_BASE58)('accepts base58 %s on %s as %s', (address, network, type) => {
    expect(validateAddress(address, network)).toEqual({ ok: true, type });
  });

  it('refuses addresses of another network, naming both', () => {
    const cases: ReadonlyArray<readonly [string, Network, RegExp]> = [
      ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'testnet', /bitcoin \(mainnet\).*network is testnet/],
      ['tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7', 'bitcoin', /testnet or signet.*network is bitcoin/],
      ['tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7', 'regtest', /network is regtest/],
      ['bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', 'bitcoin', /regtest/],
      ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', 'testnet', /bitcoin \(mainnet\), but the network is testnet/],
      ['mk2QpYatsKicvFVuTAQLBryyccRXMUaGHP', 'bitcoin', /testnet, signet or regtest, but the network is bitcoin/],
    ];
    for (const [address, network, reason] of cases) {
      const result = validateAddress(address, network);
      expect(result).toMatchObject({ ok: false });
      if (!result.ok) expect(result.message).toMatch(reason);
    }
  });

  it('refuses broken base58 addresses', () => {
    const cases: ReadonlyArray<readonly [string, RegExp]> = [
      ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3', /checksum/], // last char changed
      ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0', /base58 excludes/],
      ['', /empty/],
      [' 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', /spaces/],
      ['111111111111111111117K4nzc', /decodes to 20 bytes/], // version byte + 19-byte hash
      ['LKDxGDJq5fF4FohAB8zJH24mDDNHDNtqsE', /version byte 0x30, which is not a Bitcoin address/], // Litecoin
      ['lnbc1pvjluez', /base58/],
    ];
    for (const [address, reason] of cases) {
      const result = validateAddress(address, 'bitcoin');
      expect(result).toMatchObject({ ok: false });
      if (!result.ok) expect(result.message).toMatch(reason);
    }
  });
});
