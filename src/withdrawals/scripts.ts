import { readFileSync } from 'node:fs';
import type { RedisClient } from '../redis.ts';
import { APPROVE, CLAIM_BATCH, CREATE, RESOLVE, SEAL_BATCH, TRANSITION } from './script-layouts.ts';
import { luaTransitionTable } from './status.ts';

const here = new URL('./lua/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, here), 'utf8');

export interface ScriptCommands {
  /** numkeys, then the CREATE layout's keys of every withdrawal, then their arguments (create.lua). */
  wdCreate(...args: (string | number)[]): Promise<string[][]>;
  wdTransition(...args: (string | number)[]): Promise<string[]>;
  wdSealBatch(...args: (string | number)[]): Promise<string[]>;
  wdClaimBatch(...args: (string | number)[]): Promise<string>;
  /** The RESOLVE layout (resolve.lua). */
  wdResolve(...args: (string | number)[]): Promise<string[]>;
  wdApprove(...args: (string | number)[]): Promise<string[]>;
}

/** Registers the Lua scripts on a connection (ioredis runs them with EVALSHA, falling back to EVAL). */
export function defineScripts(redis: RedisClient): RedisClient & ScriptCommands {
  // Exact decimal amounts and the record's JSON view, prepended to every script that uses them.
  const shared = `${read('decimal.lua')}\n${read('view.lua')}`;
  const perItem = `local KEYS_PER_ITEM, ARGS_PER_ITEM = ${CREATE.keys.length}, ${CREATE.args.length}`;
  redis.defineCommand('wdCreate', { lua: `${shared}\n${perItem}\n${read('create.lua')}` });
  redis.defineCommand('wdTransition', { numberOfKeys: TRANSITION.keys.length, lua: `${shared}\n${luaTransitionTable()}\n${read('transition.lua')}` });
  redis.defineCommand('wdApprove', { numberOfKeys: APPROVE.keys.length, lua: `${shared}\n${read('approve.lua')}` });
  redis.defineCommand('wdResolve', { numberOfKeys: RESOLVE.keys.length, lua: read('resolve.lua') });
  redis.defineCommand('wdClaimBatch', { numberOfKeys: CLAIM_BATCH.keys.length, lua: read('claim-batch.lua') });
  redis.defineCommand('wdSealBatch', { numberOfKeys: SEAL_BATCH.keys.length, lua: `${shared}\n${read('seal-batch.lua')}` });
  return redis as RedisClient & ScriptCommands;
}
