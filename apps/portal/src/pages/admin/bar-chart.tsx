import { ticks } from '../../charts/line-chart';

const W = 640;
const H = 240;
const PAD = { left: 48, right: 12, top: 14, bottom: 44 };

/**
 * Bars per category (days) in plain SVG, styled like the line chart. The SVG has a text
 * summary for screen readers; the data itself is in the table next to it.
 */
export function BarChart({ title, bars, yLabel, color = '#1d3a8a', format = (v) => String(v) }: { title: string; bars: Array<{ label: string; value: number }>; yLabel: string; color?: string; format?: (v: number) => string }) {
  if (!bars.length) return null;
  const max = Math.max(...bars.map((b) => b.value)) || 1;
  const yTicks = ticks(0, max, 4);
  const top = Math.max(max, yTicks[yTicks.length - 1] ?? max);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / bars.length;
  const barW = Math.max(2, slot * 0.7);
  const sy = (v: number) => H - PAD.bottom - (v / top) * plotH;
  const every = Math.ceil(bars.length / 8);
  const total = bars.reduce((n, b) => n + b.value, 0);
  const peak = bars.reduce((a, b) => (b.value > a.value ? b : a), bars[0]);
  const summary = `${title}: ${format(total)} in total over ${bars.length} days; the most on ${peak.label} (${format(peak.value)}).`;

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
        <title>{title}</title>
        {yTicks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={sy(t)} y2={sy(t)} className="grid" />
            <text x={PAD.left - 8} y={sy(t)} className="tick" textAnchor="end" dominantBaseline="middle">
              {format(t)}
            </text>
          </g>
        ))}
        {bars.map((b, i) => (
          <g key={b.label}>
            <rect x={PAD.left + i * slot + (slot - barW) / 2} y={sy(b.value)} width={barW} height={Math.max(0, H - PAD.bottom - sy(b.value))} fill={color} rx={2}>
              <title>{`${b.label}: ${format(b.value)}`}</title>
            </rect>
            {i % every === 0 && (
              <text x={PAD.left + i * slot + slot / 2} y={H - PAD.bottom + 16} className="tick" textAnchor="middle">
                {b.label.slice(5)}
              </text>
            )}
          </g>
        ))}
        <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} className="axis" />
        <text x={14} y={(PAD.top + H - PAD.bottom) / 2} className="axis-label" textAnchor="middle" transform={`rotate(-90 14 ${(PAD.top + H - PAD.bottom) / 2})`}>
          {yLabel}
        </text>
      </svg>
      <figcaption>
        <strong>{title}</strong>
      </figcaption>
    </figure>
  );
}
