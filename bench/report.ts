// Turns results into a console/Markdown table and an SVG chart.
import type { Result } from './runner.ts';

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');

/** The figure that matters for each kind of workload, and whether higher is better. */
export function headline(r: Result): { label: string; value: number; higherIsBetter: boolean } {
  switch (r.measure) {
    case 'throughput':
      return { label: 'deliveries/s', value: r.deliveriesPerSec, higherIsBetter: true };
    case 'latency':
      return { label: 'p99 latency ms', value: r.latP99Ms, higherIsBetter: false };
    case 'registration':
      return { label: 'registrations/s', value: r.regPerSec, higherIsBetter: true };
    case 'join':
      return { label: 'join total ms', value: r.joinTotalMs, higherIsBetter: false };
    case 'idle':
      return { label: 'bytes/connection', value: r.bytesPerConnection, higherIsBetter: false };
  }
}

function details(r: Result): string {
  switch (r.measure) {
    case 'throughput':
      return `${fmt(r.deliveriesPerSec)}/s, lat p50 ${fmt(r.latP50Ms, 2)} p99 ${fmt(r.latP99Ms, 2)} ms, ${fmt(r.cpuPerDeliveryUs, 2)} µs CPU/delivery, lost ${r.lost}${storedText(r)}; ${cpuShares(r)}`;
    case 'latency':
      return `${fmt(r.deliveriesPerSec)}/s, lat p50 ${fmt(r.latP50Ms, 2)} p99 ${fmt(r.latP99Ms, 2)} max ${fmt(r.latMaxMs, 1)} ms, lost ${r.lost}`;
    case 'registration':
      return `${fmt(r.regPerSec)}/s, total ${fmt(r.regTotalMs)} ms, p50 ${fmt(r.regP50Ms, 1)} p99 ${fmt(r.regP99Ms, 1)} ms, ${r.registered}/${r.clients} ok${othersText(r)}`;
    case 'join':
      return `total ${fmt(r.joinTotalMs)} ms, join p50 ${fmt(r.joinP50Ms, 1)} p99 ${fmt(r.joinP99Ms, 1)} ms, server CPU ${fmt(r.serverCpuSeconds, 2)} s${othersText(r)}`;
    case 'idle':
      return `${fmt(r.bytesPerConnection / 1024, 1)} KB/conn, RSS ${fmt(r.rssBeforeMB, 1)} → ${fmt(r.rssAfterMB, 1)} MB, ${r.registered}/${r.clients} held`;
  }
}

/** "stored 400,000/400,000 in +120 ms" where the clients logged in to accounts (Parlor keeps their private messages). */
function storedText(r: Result): string {
  if (r.stored === undefined) return '';
  return `, stored ${fmt(r.stored)}/${fmt(r.sent)} (${fmt(r.storeLagMs ?? NaN)} ms after the last delivery)`;
}

/** Other processes' use of the machine during the measured window: a quiet machine shows ~0. */
function othersText(r: Result): string {
  return r.otherCores === undefined ? '' : `; others ${fmt(r.otherCores, 2)} cores`;
}

/** Who used the two cores: the server's and the generator's CPU per delivery and cores busy. */
function cpuShares(r: Result): string {
  if (r.generatorCpuPerDeliveryUs === undefined) return ''; // results from before these fields
  const kind = r.generator === 'process' ? 'processes' : 'threads';
  return `server ${fmt(r.serverCores, 2)} cores, generator (${kind}) ${fmt(r.generatorCpuPerDeliveryUs, 2)} µs/delivery ${fmt(r.generatorCores, 2)} cores, others ${fmt(r.otherCores, 2)} cores`;
}

/** One row per workload, one column per server, then Parlor's ratio to each other server. */
export function markdownTable(results: Result[]): string {
  const servers = [...new Set(results.map((r) => r.server))];
  const workloads = [...new Set(results.map((r) => r.workload))];
  const others = servers.filter((s) => s !== 'parlor');
  const head = ['workload', 'measure', ...servers, ...others.map((o) => `parlor vs ${o}`), 'lost / disconnects'];
  const ratioCells = (cells: string[]): string[] => (others.length > 0 ? [cells.join(' | ')] : []);
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const wl of workloads) {
    const row = results.filter((r) => r.workload === wl);
    const parlor = row.find((r) => r.server === 'parlor');
    const h = parlor ? headline(parlor) : headline(row[0]!);
    const cells = servers.map((s) => {
      const r = row.find((x) => x.server === s);
      return r ? fmt(headline(r).value, h.label.includes('ms') ? 2 : 0) : '–';
    });
    const ratios = others.map((o) => {
      const r = row.find((x) => x.server === o);
      if (!r || !parlor) return '–';
      const a = headline(parlor).value;
      const b = headline(r).value;
      const ratio = h.higherIsBetter ? a / b : b / a;
      return `${fmt(ratio, 2)}×`;
    });
    const health = row.map((r) => `${r.server}: ${r.lost}/${r.disconnects}`).join(', ');
    lines.push(`| ${[wl, `${h.label}${h.higherIsBetter ? ' ↑' : ' ↓'}`, ...cells, ...ratioCells(ratios), health].join(' | ')} |`);
  }
  return lines.join('\n');
}

export function detailLines(results: Result[]): string {
  return results.map((r) => `- ${r.server} ${r.workload}: ${details(r)}${r.errors.length ? ` — errors: ${r.errors.join('; ')}` : ''}`).join('\n');
}

/** A grouped bar chart: deliveries/s for the throughput workloads, p99 latency for all that have it. */
export function svgChart(results: Result[]): string {
  const servers = [...new Set(results.map((r) => r.server))];
  const colours = ['#2f6fdf', '#e07b22', '#3a9a4a', '#9b59b6'];
  const panels: { title: string; unit: string; rows: { label: string; values: number[] }[] }[] = [];
  const byWorkload = (measures: Result['measure'][], pick: (r: Result) => number) =>
    [...new Set(results.filter((r) => measures.includes(r.measure)).map((r) => r.workload))].map((wl) => ({
      label: wl,
      values: servers.map((s) => pick(results.find((r) => r.workload === wl && r.server === s) ?? ({} as Result)) || 0),
    }));
  panels.push({ title: 'Deliveries per second (higher is better)', unit: '/s', rows: byWorkload(['throughput', 'latency'], (r) => r.deliveriesPerSec) });
  panels.push({ title: 'p99 latency, ms (lower is better)', unit: ' ms', rows: byWorkload(['throughput', 'latency'], (r) => r.latP99Ms) });
  const width = 760;
  const barH = 14;
  let y = 30;
  const parts: string[] = [];
  parts.push(`<text x="10" y="18" font-size="13" font-weight="bold">Parlor benchmark</text>`);
  servers.forEach((s, i) => {
    parts.push(`<rect x="${200 + i * 120}" y="8" width="12" height="12" fill="${colours[i % colours.length]}"/><text x="${216 + i * 120}" y="18" font-size="12">${s}</text>`);
  });
  for (const panel of panels) {
    y += 20;
    parts.push(`<text x="10" y="${y}" font-size="13" font-weight="bold">${panel.title}</text>`);
    y += 8;
    const max = Math.max(1e-9, ...panel.rows.flatMap((r) => r.values));
    for (const row of panel.rows) {
      parts.push(`<text x="10" y="${y + (servers.length * barH) / 2 + 4}" font-size="12">${row.label}</text>`);
      row.values.forEach((v, i) => {
        const w = Math.max(1, (v / max) * (width - 260));
        parts.push(`<rect x="120" y="${y + i * barH}" width="${w.toFixed(1)}" height="${barH - 2}" fill="${colours[i % colours.length]}"/>`);
        parts.push(`<text x="${(124 + w).toFixed(1)}" y="${y + i * barH + 10}" font-size="10">${fmt(v, panel.unit === ' ms' ? 2 : 0)}${panel.unit}</text>`);
      });
      y += servers.length * barH + 8;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
}
