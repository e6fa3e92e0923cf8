import { z } from 'zod';
import { replayBodySchema } from '../src/webhooks/replay.ts';
import { eventTypesSchema, createEndpointSchema } from '../src/webhooks/endpoint.ts';
const st = z.enum(['a','b']);
const reg = z.registry<{ id: string }>();
reg.add(st, {id: 'St'});
const ev = z.discriminatedUnion('type', [z.strictObject({ type: z.enum(['w.a','w.b']), data: z.string() }), z.strictObject({ type: z.literal('batch.done'), data: z.number() })]);
reg.add(ev, {id:'Ev'});
reg.add(z.strictObject({ by: z.partialRecord(st, z.number().int()), at: z.iso.datetime(), n: z.number().int().nonnegative(), u: z.unknown(), d: z.string().describe('hello').meta({ examples: ['x'] }) }), {id:'P'});
reg.add(replayBodySchema, {id:'Replay'});
reg.add(createEndpointSchema, {id:'Create'});
const seen: string[] = [];
console.log(JSON.stringify(z.toJSONSchema(reg, { io: 'input', target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'any', override: (ctx) => {
  if (ctx.zodSchema === replayBodySchema.options[1]) ctx.jsonSchema.anyOf = [{ required: ['after'] }, { required: ['until'] }];
  if (ctx.zodSchema === eventTypesSchema) seen.push('eventTypes:' + JSON.stringify(ctx.jsonSchema));
} }), null, 1));
console.log(seen);
