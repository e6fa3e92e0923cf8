/**
 * What ioredis says while Redis cannot serve a command for a while (a restart, a Sentinel or Cluster
 * failover): the connection closed under a command, a slot without a master, a demoted primary, a
 * node still loading its data, retries given up. Such an error is an outage to wait out, not a fault
 * of the code that sent the command.
 */
const OUTAGE =
  /^(CLUSTERDOWN|TRYAGAIN|READONLY|LOADING|MASTERDOWN)\b|Too many Cluster redirections|Connection is closed|Cluster is ended|None of startup nodes is available|Failed to refresh slots cache|Reached the max retries per request limit|Stream isn't writeable/;

export function isRedisOutage(err: unknown): boolean {
  return err instanceof Error && OUTAGE.test(err.message);
}
