/**
 * On-chain address validation for a network: base58check (P2PKH, P2SH) and
 * segwit (BIP-173 bech32 for v0, BIP-350 bech32m for v1+). A payout to a
 * wrong-network or mistyped address is lost, so every rule is enforced.
 */
import { sha256 } from '@noble/hashes/sha2';
import { bech32, bech32m, createBase58check } from '@scure/base';
import type { Network } from '../invoices/network.ts';
import { ADDRESS_PARAMS, base58VersionNetwork, HRP_NETWORKS } from './networks.ts';

export type AddressType = 'p2pkh' | 'p2sh' | 'p2wpkh' | 'p2wsh' | 'p2tr' | 'witness';
export type AddressCheck = { ok: true; type: AddressType } | { ok: false; message: string };

const base58check = createBase58check(sha256);
const BASE58_CHARS = /^[1-9A-HJ-NP-Za-km-z]+$/;
/** BIP-173: a segwit address is at most 90 characters. */
const MAX_SEGWIT_LENGTH = 90;

export function validateAddress(address: string, network: Network): AddressCheck {
  if (address.length === 0) return fail('address is empty');
  if (address.trim() !== address) return fail('address has leading or trailing spaces; remove them');
  const lower = address.toLowerCase();
  const sep = lower.lastIndexOf('1');
  const hrp = sep > 0 ? lower.slice(0, sep) : '';
  return hrp in HRP_NETWORKS ? validateSegwit(address, lower, hrp, network) : validateBase58(address, network);
}

function validateSegwit(address: string, lower: string, hrp: string, network: Network): AddressCheck {
  if (address !== lower && address !== address.toUpperCase()) {
    return fail('address mixes upper and lower case; bech32 addresses use one case');
  }
  if (address.length > MAX_SEGWIT_LENGTH) return fail(`address is longer than ${MAX_SEGWIT_LENGTH} characters`);
  const expected = ADDRESS_PARAMS[network].hrp;
  if (hrp !== expected) {
    return fail(`address is for ${HRP_NETWORKS[hrp] ?? hrp} ("${hrp}1..."), but the network is ${network} ("${expected}1...")`);
  }
  // No string is valid in both encodings, so trying both tells which one was used.
  const asBech32 = bech32.decodeUnsafe(lower, MAX_SEGWIT_LENGTH);
  const decoded = asBech32 ?? bech32m.decodeUnsafe(lower, MAX_SEGWIT_LENGTH);
  if (decoded === undefined) return fail('address checksum is wrong or it has a non-bech32 character; copy it again');
  const [version, ...programWords] = decoded.words;
  if (version === undefined) return fail('address has no witness version or program');
  if (version > 16) return fail(`address has witness version ${version}; only 0 to 16 exist`);
  const program = bech32.fromWordsUnsafe(programWords);
  if (program === undefined) return fail('address has invalid padding in its witness program');
  if (program.length < 2 || program.length > 40) {
    return fail(`address witness program is ${program.length} bytes; it must be 2 to 40`);
  }
  // BIP-350: v0 keeps bech32, every later version must use bech32m.
  if (version === 0 && asBech32 === undefined) return fail('a version 0 segwit address must use bech32, not bech32m');
  if (version > 0 && asBech32 !== undefined) return fail(`a version ${version} segwit address must use bech32m, not bech32`);
  if (version === 0) {
    if (program.length === 20) return { ok: true, type: 'p2wpkh' };
    if (program.length === 32) return { ok: true, type: 'p2wsh' };
    return fail(`a version 0 witness program must be 20 or 32 bytes, not ${program.length}`);
  }
  if (version === 1 && program.length === 32) return { ok: true, type: 'p2tr' };
  return { ok: true, type: 'witness' };
}

function validateBase58(address: string, network: Network): AddressCheck {
  if (!BASE58_CHARS.test(address)) {
    return fail('address is neither bech32 (bc1/tb1/bcrt1...) nor base58 (it has characters base58 excludes: 0, O, I, l)');
  }
  let payload: Uint8Array;
  try {
    payload = base58check.decode(address);
  } catch {
    return fail('address checksum is wrong; copy it again');
  }
  const version = payload[0];
  if (version === undefined || payload.length !== 21) {
    return fail(`address decodes to ${payload.length} bytes; a base58 address holds a version byte and a 20-byte hash`);
  }
  const params = ADDRESS_PARAMS[network];
  if (version === params.p2pkh) return { ok: true, type: 'p2pkh' };
  if (version === params.p2sh) return { ok: true, type: 'p2sh' };
  const other = base58VersionNetwork(version);
  return fail(
    other === null
      ? `address has version byte 0x${version.toString(16).padStart(2, '0')}, which is not a Bitcoin address`
      : `address is for ${other}, but the network is ${network}`,
  );
}

function fail(message: string): AddressCheck {
  return { ok: false, message };
}
