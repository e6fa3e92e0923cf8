import { describe, expect, it } from 'vitest';
import { isRedisOutage } from '../../src/redis-outage.ts';

describe('isRedisOutage', () => {
  it.each([
    'Too many Cluster redirections. Last error: Error: Connection is closed.',
    'CLUSTERDOWN The cluster is down',
    'TRYAGAIN Multiple keys request during rehashing of slot',
    "READONLY You can't write against a read only replica.",
    'LOADING Redis is loading the dataset in memory',
    'Connection is closed.',
    'None of startup nodes is available',
    'Reached the max retries per request limit (which is 1). Refer to "maxRetriesPerRequest" option for details.',
  ])('takes "%s" for an outage', (message) => {
    expect(isRedisOutage(new Error(message))).toBe(true);
  });

  it.each(['ERR wrong number of arguments', 'NOSCRIPT No matching script', 'invalid_input: updates', 'something READONLY later'])(
    'takes "%s" for a fault of its own',
    (message) => {
      expect(isRedisOutage(new Error(message))).toBe(false);
    },
  );

  it('takes what is not an Error for no outage', () => {
    expect(isRedisOutage('Connection is closed.')).toBe(false);
    expect(isRedisOutage(undefined)).toBe(false);
  });
});
