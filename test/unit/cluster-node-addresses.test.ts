import { describe, expect, it } from 'vitest';
import { clusterNodeAddresses } from '../../src/redis-seed.ts';

// A CLUSTER NODES answer (Redis 7): id, ip:port@cport[,hostname], flags, master, ping, pong, epoch, link, slots.
const NODES = [
  '07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,node-4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected',
  '67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922',
  '292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003 master,fail - 1426238316232 1426238315000 3 disconnected 10923-16383',
  '6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:30005@31005 slave,fail? 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 1426238316232 5 connected',
  '824fe116063bc5fcf9f4ffd895bc17aee7731ac3 :0@0 master,noaddr - 1426238318243 1426238316232 6 disconnected',
  'e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460',
  'a1b2c3d4e5f60718293a4b5c6d7e8f9011223344 ::1:30007@31007 master - 0 0 7 connected',
  'b1b2c3d4e5f60718293a4b5c6d7e8f9011223344 10.0.0.8:30008@31008 slave,nofailover 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 0 8 connected',
  '',
].join('\n');

describe('clusterNodeAddresses', () => {
  it('lists the nodes one may connect to, replicas included, and leaves out failed, address-less and IPv6 ones', () => {
    expect(clusterNodeAddresses(NODES)).toEqual(['127.0.0.1:30004', '127.0.0.1:30002', '127.0.0.1:30001', '10.0.0.8:30008']);
  });

  it('lists nothing from an empty or broken answer', () => {
    expect(clusterNodeAddresses('')).toEqual([]);
    expect(clusterNodeAddresses('ERR This instance has cluster support disabled')).toEqual([]);
  });
});
