/**
 * The BOLT #11 spec examples, read from the repository's own copy (test/fixtures/README.md says
 * where they come from and under which licence), so the suite needs nothing beside the clone.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface SpecVector {
  valid: boolean;
  /** The spec's sentence introducing the example. */
  description: string;
  invoice: string;
}

export const SPEC_VECTORS_FILE = fileURLToPath(new URL('../fixtures/bolt11-spec-vectors.json', import.meta.url));

/** All 25 examples, valid and invalid, in the spec's order. Throws if the file is missing: a silently skipped spec suite would hide a broken decoder. */
export function loadSpecVectors(): SpecVector[] {
  const parsed: { vectors: SpecVector[] } = JSON.parse(readFileSync(SPEC_VECTORS_FILE, 'utf8'));
  return parsed.vectors;
}
