import { EDGES, FINAL_STATUSES } from './status.ts';

/** The state machine as a Mermaid diagram, generated from the one table (docs/architecture.md shows it). */
export function stateDiagram(): string {
  const lines = ['stateDiagram-v2', '  [*] --> queued', '  [*] --> awaiting_approval'];
  for (const e of EDGES) lines.push(`  ${e.from} --> ${e.to}: ${e.why}`);
  for (const s of FINAL_STATUSES) lines.push(`  ${s} --> [*]`);
  return lines.join('\n');
}
