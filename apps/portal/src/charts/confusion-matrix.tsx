import type { ConfusionMatrixData } from '@trialhub/contracts';

const CELL = 120;
const LABEL_W = 170;
const HEAD_H = 56;

const pretty = (c: string) => c.replace(/[_-]+/g, ' ');

/** The confusion matrix as an SVG grid: rows are the true class, columns the prediction. */
export function ConfusionMatrix({ data }: { data: ConfusionMatrixData }) {
  const n = data.classes.length;
  const max = Math.max(1, ...data.matrix.flat());
  const total = data.matrix.flat().reduce((a, b) => a + b, 0);
  const correct = data.matrix.reduce((a, row, i) => a + (row[i] ?? 0), 0);
  const width = LABEL_W + n * CELL + 8;
  const height = HEAD_H + n * CELL + 8;
  return (
    <figure className="chart confusion">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Confusion matrix: ${correct} of ${total} test images classified correctly.`} style={{ maxWidth: width }}>
        <title>Confusion matrix</title>
        <text x={LABEL_W + (n * CELL) / 2} y={14} className="axis-label" textAnchor="middle">
          Predicted
        </text>
        {data.classes.map((c, j) => (
          <text key={`h${c}`} x={LABEL_W + j * CELL + CELL / 2} y={HEAD_H - 10} className="tick" textAnchor="middle">
            {pretty(c).slice(0, 18)}
          </text>
        ))}
        {data.matrix.map((row, i) => (
          <g key={data.classes[i]}>
            <text x={LABEL_W - 8} y={HEAD_H + i * CELL + CELL / 2} className="tick" textAnchor="end" dominantBaseline="middle">
              {pretty(data.classes[i]).slice(0, 20)}
            </text>
            {row.map((count, j) => {
              const strength = count / max;
              const diagonal = i === j;
              // Correct predictions in blue, mistakes in orange; text flips to white on dark cells for contrast.
              const fill = diagonal ? `rgba(29, 58, 138, ${0.08 + 0.92 * strength})` : `rgba(194, 65, 12, ${count ? 0.12 + 0.88 * strength : 0.04})`;
              return (
                <g key={j} data-cell={`${i},${j}`}>
                  <rect x={LABEL_W + j * CELL} y={HEAD_H + i * CELL} width={CELL - 4} height={CELL - 4} rx={6} fill={fill} stroke="#cbd5e1" />
                  <text x={LABEL_W + j * CELL + (CELL - 4) / 2} y={HEAD_H + i * CELL + (CELL - 4) / 2} textAnchor="middle" dominantBaseline="middle" className="cell-count" fill={strength > 0.55 ? '#ffffff' : '#0f172a'}>
                    {count}
                  </text>
                </g>
              );
            })}
          </g>
        ))}
      </svg>
      <figcaption>
        Rows: the true class. Columns: what the model predicted. {correct} of {total} correct.
      </figcaption>
    </figure>
  );
}
