// The cluster bench's tables: one row per node count and workload, then the targets of
// issue 14 read off them (reported, not asserted).
import type { IdleResult } from './cluster-idle.ts';
import { NODE_IDS } from './cluster-nodes.ts';

export interface LoadResult {
  nodes: number;
  workload: string;
  measure: 'throughput' | 'latency';
  clients: number;
  registered: number;
  expected: number;
  received: number;
  lost: number;
  disconnects: number;
  seconds: number;
  deliveriesPerSec: number;
  latP50Ms: number;
  latP99Ms: number;
  /** Received by clients of node a (latency-50k: senders are all on a). */
  sameP50Ms: number;
  sameP99Ms: number;
  /** Received by clients of the other nodes. */
  crossP50Ms: number;
  crossP99Ms: number;
  nodeCpuSeconds: number[];
  /** Deliveries to each node's clients. */
  nodeDeliveries: number[];
  redisCpuSeconds: number;
  postgresCpuSeconds: number;
  loadCpuSeconds: number;
  /** Entries appended to the log during the sending phase. */
  logEvents: number;
  /** From the last delivery until the history writers had acknowledged every entry. */
  historyDrainSeconds: number;
  /** XREAD calls of all nodes while sending: entries a read = logEvents × nodes / this. */
  xreadCalls: number;
  /** Every Redis command's calls while sending (INFO commandstats), for reading the JSON. */
  redisCalls: Record<string, number>;
  errors: string[];
}

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const us = (seconds: number, deliveries: number): number => (deliveries > 0 ? (seconds / deliveries) * 1e6 : NaN);
const pair = (a: number, b: number): string => `${fmt(a, 1)} / ${fmt(b, 1)}`;

export function totalCpuSeconds(r: LoadResult): number {
  return r.nodeCpuSeconds.reduce((a, b) => a + b, 0) + r.redisCpuSeconds + r.postgresCpuSeconds;
}

function loadTable(loads: LoadResult[]): string {
  const head = [
    'nodes', 'workload', 'deliveries/s', 'CPU µs/delivery (nodes+Redis+PG)', 'per node µs/delivery', 'node shares',
    'Redis µs', 'PG µs', 'lat p50 / p99 ms', 'same-node p50 / p99', 'cross-node p50 / p99', 'log events/s', 'entries a read', 'history done after', 'lost / disc.',
  ];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const r of loads) {
    const total = totalCpuSeconds(r);
    const nodesCpu = r.nodeCpuSeconds.reduce((a, b) => a + b, 0);
    const perNode = r.nodeCpuSeconds.map((c, i) => `${NODE_IDS[i]} ${fmt(us(c, r.received), 2)}`).join(', ');
    const shares = r.nodeCpuSeconds.map((c, i) => `${NODE_IDS[i]} ${fmt(nodesCpu > 0 ? (100 * c) / nodesCpu : NaN)} %`).join(', ');
    const cross = r.nodes > 1 && r.workload !== 'room-on-a' ? pair(r.crossP50Ms, r.crossP99Ms) : '–';
    lines.push(
      `| ${[
        r.nodes, r.workload, fmt(r.deliveriesPerSec), fmt(us(total, r.received), 2), perNode, shares,
        fmt(us(r.redisCpuSeconds, r.received), 2), fmt(us(r.postgresCpuSeconds, r.received), 2),
        pair(r.latP50Ms, r.latP99Ms), pair(r.sameP50Ms, r.sameP99Ms), cross,
        fmt(r.seconds > 0 ? r.logEvents / r.seconds : NaN), fmt(r.xreadCalls > 0 ? (r.logEvents * r.nodes) / r.xreadCalls : NaN, 1), `+${fmt(r.historyDrainSeconds, 2)} s`, `${r.lost} / ${r.disconnects}`,
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

function idleTable(idles: IdleResult[]): string {
  const head = ['nodes', 'connections held', 'registrations/s', 'KB per local connection (by node)', 'KB per remote user', 'KB per connection, all nodes', 'RSS before → after MB', 'failed / disc.'];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const r of idles) {
    lines.push(
      `| ${[
        r.nodes, `${fmt(r.held)} / ${fmt(r.nodes * r.perNode)}`, fmt(r.registrationsPerSec),
        r.localBytesPerConnection.map((b, i) => `${NODE_IDS[i]} ${fmt(b / 1024, 1)}`).join(', '),
        fmt(r.remoteBytesPerUser / 1024, 2), fmt(r.clusterBytesPerConnection / 1024, 1),
        r.rssBeforeMB.map((b, i) => `${fmt(b)} → ${fmt(r.rssAfterMB[i]!)}`).join(', '), `${r.failed} / ${r.disconnects}`,
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** The targets of issue 14, read off the runs. */
function targetLines(loads: LoadResult[], idles: IdleResult[]): string[] {
  const out: string[] = [];
  for (const r of loads.filter((l) => l.workload.startsWith('latency-') && l.nodes > 1)) {
    const ratio = r.crossP99Ms / r.sameP99Ms;
    out.push(`- ${r.nodes} nodes, ${r.workload} at ${fmt(r.deliveriesPerSec)} deliveries/s: cross-node p99 ${fmt(r.crossP99Ms, 2)} ms = ${fmt(ratio, 2)}× same-node p99 ${fmt(r.sameP99Ms, 2)} ms (target ≤ 2×: ${ratio <= 2 ? 'met' : 'missed'})`);
  }
  for (const r of loads.filter((l) => l.workload === 'room-on-a')) {
    const others = r.nodeCpuSeconds.slice(1).map((c, i) => `${NODE_IDS[i + 1]} ${fmt(us(c, r.received), 3)} µs (${fmt(r.logEvents > 0 ? (c / r.logEvents) * 1e6 : NaN, 1)} µs a log event)`);
    out.push(`- ${r.nodes} nodes, room-on-a: node a ${fmt(us(r.nodeCpuSeconds[0]!, r.received), 3)} µs a delivery; nodes without members: ${others.join(', ')}`);
  }
  for (const r of idles) {
    out.push(`- ${r.nodes} node${r.nodes === 1 ? '' : 's'}, idle: ${fmt(r.held)} of ${fmt(r.nodes * r.perNode)} connections held (${fmt(r.perNode)} a node)`);
  }
  return out;
}

export function clusterMarkdown(loads: LoadResult[], idles: IdleResult[]): string {
  const parts: string[] = [];
  if (loads.length > 0) parts.push(loadTable(loads));
  if (idles.length > 0) parts.push(idleTable(idles));
  const targets = targetLines(loads, idles);
  if (targets.length > 0) parts.push(targets.join('\n'));
  return parts.join('\n\n');
}
