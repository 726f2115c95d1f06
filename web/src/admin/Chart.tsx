// A small live line chart of polled samples (inline SVG, no library): connections and messages/s.
import { useLanguage } from '../language.ts';

export interface Sample {
  time: number;
  connections: number;
  mps: number;
}

const W = 320;
const H = 80;

function line(samples: Sample[], value: (s: Sample) => number, max: number, from: number, span: number): string {
  return samples.map((s) => `${(((s.time - from) / span) * W).toFixed(1)},${(H - (value(s) / max) * (H - 4) - 2).toFixed(1)}`).join(' ');
}

export function Chart({ samples, spanMs }: { samples: Sample[]; spanMs: number }) {
  const last = samples.at(-1);
  const now = last?.time ?? 0;
  const from = now - spanMs;
  const shown = samples.filter((s) => s.time >= from);
  const maxConn = Math.max(1, ...shown.map((s) => s.connections));
  const maxMps = Math.max(1, ...shown.map((s) => s.mps));
  const { t } = useLanguage();
  return (
    <figure class="admin-chart">
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={t('web.admin.chart.label', { minutes: Math.round(spanMs / 60000) })}>
        <polyline class="series-conn" points={line(shown, (s) => s.connections, maxConn, from, spanMs)} />
        <polyline class="series-mps" points={line(shown, (s) => s.mps, maxMps, from, spanMs)} />
      </svg>
      <figcaption>
        <span class="key key-conn">{t('web.admin.chart.connections', { now: last?.connections ?? 0, max: maxConn })}</span>
        <span class="key key-mps">{t('web.admin.chart.messages', { now: (last?.mps ?? 0).toFixed(1), max: maxMps.toFixed(1) })}</span>
      </figcaption>
    </figure>
  );
}
