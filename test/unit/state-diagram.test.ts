import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stateDiagram } from '../../src/withdrawals/state-diagram.ts';
import { EDGES, STATUSES, TRANSITIONS, luaTransitionTable } from '../../src/withdrawals/status.ts';

const doc = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');

describe('the state machine, defined once', () => {
  it('docs/architecture.md shows the diagram generated from the table', () => {
    const m = /<!-- state-diagram: [^>]*-->\n```mermaid\n([\s\S]*?)\n```\n<!-- \/state-diagram -->/.exec(doc);
    expect(m, 'the generated block in docs/architecture.md').not.toBeNull();
    expect(m?.[1]).toBe(stateDiagram());
  });

  it('the Lua table the script is given has the same edges as the TypeScript one', () => {
    const lua = luaTransitionTable();
    for (const from of STATUSES) {
      const row = new RegExp(`^  ${from} = \\{ (.*) \\},$`, 'm').exec(lua)?.[1] ?? '';
      const targets = row === '' ? [] : row.split(', ').map((x) => x.replace(' = true', ''));
      expect(targets, from).toEqual([...TRANSITIONS[from]]);
    }
    expect(EDGES.filter((e) => ['succeeded', 'failed', 'cancelled'].includes(e.from))).toEqual([]);
  });
});
