/**
 * BOLT11 signatures: secp256k1 over sha256(hrp bytes || data words packed into
 * bytes with zero padding), stored as 64-byte r||s plus one recovery-id byte.
 */
import { secp256k1 } from '@noble/curves/secp256k1';
// libsecp256k1 (native addon, else WebAssembly): recovery is the one costly step of accepting a
// withdrawal, and @noble/curves takes 2.7 ms per invoice for it (docs/performance.md).
import { secp256k1Backend as ecc } from './secp256k1-backend.ts';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils';
import { InvoiceError } from './errors.ts';
import { wordsToBytesPadded } from './words.ts';

/** The 32-byte message hash a BOLT11 signature signs (hrp lowercase, as in the canonical form). */
export function signingHash(hrp: string, dataWords: readonly number[]): Uint8Array {
  return sha256(concatBytes(utf8ToBytes(hrp), wordsToBytesPadded(dataWords)));
}

/** Low-S recoverable signature: r||s||recid, 65 bytes (RFC 6979, deterministic). */
export function signHash(hash: Uint8Array, privateKey: Uint8Array): Uint8Array {
  const sig = secp256k1.sign(hash, privateKey, { lowS: true, prehash: false });
  return concatBytes(sig.toBytes('compact'), Uint8Array.of(sig.recovery));
}

const RECOVERY_IDS = [0, 1, 2, 3] as const;

/**
 * Checks the signature and returns the payee's compressed public key (hex).
 * With `n` present BOLT11 says: verify against it and refuse high-S.
 * Without it: recover, accepting high-S. Recovery must use the normalised S
 * with the original recovery id; recovering from the raw high-S value yields
 * some other key (the bug measured in bolt11@1.4.1, providers.md 3.4).
 */
export function checkSignature(hash: Uint8Array, signature: Uint8Array, payeeNodeKey: Uint8Array | null): string {
  const recid = signature[64];
  if (signature.length !== 65 || recid === undefined || recid > 3) {
    throw new InvoiceError('invoice signature has an invalid recovery id (must be 0 to 3)');
  }
  let sig: ReturnType<typeof secp256k1.Signature.fromBytes>;
  try {
    sig = secp256k1.Signature.fromBytes(signature.subarray(0, 64), 'compact');
  } catch (cause) {
    throw new InvoiceError('invoice signature is malformed (r or s out of range)', { cause });
  }
  if (payeeNodeKey !== null) {
    if (sig.hasHighS()) {
      throw new InvoiceError('invoice signature is not in low-S form, which BOLT11 requires when the n field is given');
    }
    let ok: boolean;
    try {
      ok = ecc.verify(hash, payeeNodeKey, sig.toBytes('compact'));
    } catch (cause) {
      throw new InvoiceError('invoice payee node key (n field) is not a valid public key', { cause });
    }
    if (!ok) throw new InvoiceError('invoice signature does not match the payee node key in its n field');
    return bytesToHex(payeeNodeKey);
  }
  try {
    const point = ecc.recover(hash, sig.normalizeS().toBytes('compact'), RECOVERY_IDS[recid] ?? 0);
    if (point === null) throw new RangeError('no curve point has x = r');
    return bytesToHex(point);
  } catch (cause) {
    throw new InvoiceError('invoice signature is not recoverable: no payee public key can be derived from it', {
      cause,
    });
  }
}
