import { readFileSync } from 'node:fs';
import type { RedisClient } from '../redis.ts';
import { luaTransitionTable } from './status.ts';

const here = new URL('./lua/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, here), 'utf8');

export interface ScriptCommands {
  /** numkeys, then 8 keys per withdrawal, then 12 arguments per withdrawal (create.lua). */
  wdCreate(...args: (string | number)[]): Promise<string[][]>;
  wdTransition(...args: (string | number)[]): Promise<string[]>;
  wdSealBatch(...args: (string | number)[]): Promise<string[]>;
  wdClaimBatch(key: string, owner: string): Promise<string>;
  /** 3 keys, 8 arguments (resolve.lua). */
  wdResolve(...args: (string | number)[]): Promise<string[]>;
  /** 7 keys, 6 arguments (approve.lua). */
  wdApprove(...args: (string | number)[]): Promise<string[]>;
}

/** Registers the Lua scripts on a connection (ioredis runs them with EVALSHA, falling back to EVAL). */
export function defineScripts(redis: RedisClient): RedisClient & ScriptCommands {
  // Exact decimal amounts and the record's JSON view, prepended to every script that uses them.
  const shared = `${read('decimal.lua')}\n${read('view.lua')}`;
  redis.defineCommand('wdCreate', { lua: `${shared}\n${read('create.lua')}` });
  redis.defineCommand('wdTransition', { numberOfKeys: 8, lua: `${shared}\n${luaTransitionTable()}\n${read('transition.lua')}` });
  redis.defineCommand('wdApprove', { numberOfKeys: 7, lua: `${shared}\n${read('approve.lua')}` });
  redis.defineCommand('wdResolve', { numberOfKeys: 3, lua: read('resolve.lua') });
  redis.defineCommand('wdClaimBatch', { numberOfKeys: 1, lua: read('claim-batch.lua') });
  redis.defineCommand('wdSealBatch', { numberOfKeys: 2, lua: `${shared}\n${read('seal-batch.lua')}` });
  return redis as RedisClient & ScriptCommands;
}
