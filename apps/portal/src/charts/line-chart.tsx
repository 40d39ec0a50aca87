export interface Series {
  name: string;
  color: string;
  points: Array<{ x: number; y: number }>;
  dashed?: boolean;
}

const W = 640;
const H = 280;
const PAD = { left: 52, right: 16, top: 16, bottom: 40 };

/** Round, readable tick values covering [min, max]. */
export function ticks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

/** A line chart in plain SVG: one or more series over a shared x axis (training steps). */
export function LineChart({ title, series, xLabel, yLabel, yDomain, formatY = (v) => String(v) }: { title: string; series: Series[]; xLabel: string; yLabel: string; yDomain?: [number, number]; formatY?: (v: number) => string }) {
  const all = series.flatMap((s) => s.points);
  if (!all.length) return null;
  const xMin = Math.min(...all.map((p) => p.x));
  const xMax = Math.max(...all.map((p) => p.x), xMin + 1);
  const [yMin, yMax] = yDomain ?? [Math.min(0, ...all.map((p) => p.y)), Math.max(...all.map((p) => p.y)) || 1];
  const sx = (x: number) => PAD.left + ((x - xMin) / (xMax - xMin)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - ((y - yMin) / (yMax - yMin || 1)) * (H - PAD.top - PAD.bottom);
  const path = (pts: Series['points']) => pts.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
  const summary = series.map((s) => `${s.name}: ${s.points.length ? formatY(s.points[s.points.length - 1].y) : 'no data'} at the last step`).join('; ');

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}. ${summary}.`} preserveAspectRatio="xMidYMid meet">
        <title>{title}</title>
        {ticks(yMin, yMax).map((t) => (
          <g key={`y${t}`}>
            <line x1={PAD.left} x2={W - PAD.right} y1={sy(t)} y2={sy(t)} className="grid" />
            <text x={PAD.left - 8} y={sy(t)} className="tick" textAnchor="end" dominantBaseline="middle">
              {formatY(t)}
            </text>
          </g>
        ))}
        {ticks(xMin, xMax, 6).map((t) => (
          <text key={`x${t}`} x={sx(t)} y={H - PAD.bottom + 18} className="tick" textAnchor="middle">
            {t}
          </text>
        ))}
        <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} className="axis" />
        <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={H - PAD.bottom} className="axis" />
        <text x={(PAD.left + W - PAD.right) / 2} y={H - 4} className="axis-label" textAnchor="middle">
          {xLabel}
        </text>
        <text x={14} y={(PAD.top + H - PAD.bottom) / 2} className="axis-label" textAnchor="middle" transform={`rotate(-90 14 ${(PAD.top + H - PAD.bottom) / 2})`}>
          {yLabel}
        </text>
        {series.map((s) => (
          <path key={s.name} d={path(s.points)} fill="none" stroke={s.color} strokeWidth={2.2} strokeDasharray={s.dashed ? '6 4' : undefined} data-series={s.name} />
        ))}
      </svg>
      <figcaption>
        <strong>{title}</strong>
        <ul className="legend">
          {series.map((s) => (
            <li key={s.name}>
              <svg width="22" height="10" aria-hidden="true">
                <line x1="0" x2="22" y1="5" y2="5" stroke={s.color} strokeWidth="3" strokeDasharray={s.dashed ? '5 3' : undefined} />
              </svg>
              {s.name}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
