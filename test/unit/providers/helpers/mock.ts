import { MockAgent, type Interceptable } from 'undici';

/** A MockAgent that refuses real network access, and the pool of one origin. */
export function mockOrigin(origin: string): { agent: MockAgent; pool: Interceptable } {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return { agent, pool: agent.get(origin) };
}

/** Records log lines as JSON text, to check that secrets never reach them. */
export function recordingLogger(): { lines: string[]; logger: Record<'debug' | 'info' | 'warn', (obj: Record<string, unknown>, msg: string) => void> } {
  const lines: string[] = [];
  const write = (obj: Record<string, unknown>, msg: string): void => {
    lines.push(JSON.stringify({ ...obj, msg }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  };
  return { lines, logger: { debug: write, info: write, warn: write } };
}
