import type { Redis } from 'ioredis';

/** How long after an unexpected end the connection is opened again. */
const REVIVE_AFTER_MS = 100;

/**
 * ioredis ends a Sentinel connection for good when a failover interrupts its lookup of the primary
 * (the connector is closed while it asks the Sentinels: "Connection is closed", status `end`), and
 * nothing connects it again: a BullMQ worker on it would stop taking jobs without a word. This
 * opens such a connection again, unless it was closed on purpose (`quit`, `disconnect`); its
 * duplicates (BullMQ's blocking connections are duplicates) get the same care.
 */
export function reviveUnexpectedEnd(redis: Redis): Redis {
  let closing = false;
  const disconnect = redis.disconnect.bind(redis);
  const quit = redis.quit.bind(redis);
  const duplicate = redis.duplicate.bind(redis);
  redis.disconnect = (reconnect = false) => {
    if (!reconnect) closing = true;
    disconnect(reconnect);
  };
  redis.quit = ((...args: Parameters<Redis['quit']>) => {
    closing = true;
    return quit(...args);
  }) as Redis['quit'];
  redis.duplicate = (override) => reviveUnexpectedEnd(duplicate(override));
  redis.on('end', () => {
    if (closing) return;
    setTimeout(() => {
      if (!closing && redis.status === 'end') redis.connect().catch(() => undefined);
    }, REVIVE_AFTER_MS).unref();
  });
  return redis;
}
