// Small hand-made SVG charts for the reports (the house style of BurnDownChart: no chart library, a few hundred
// bytes each). Every chart has a text summary for screen readers; the figures beside it are the content.
import { formatYen } from "@tsubaki/ui";

/** Each at least 4.5:1 on white (WCAG AA), since legends print in them. */
export const chartColors = ["#2f6f4e", "#7a5c00", "#a33a3a", "#3a5fa3", "#7a4fa3"] as const;
const width = 640;
const height = 160;
const pad = { left: 8, right: 8, top: 12, bottom: 20 };

export interface Point {
  label: string;
  value: number;
}

/** Bars over days (payments, riders, residents). */
export function BarChart({ points, label, format = String, testId }: { points: readonly Point[]; label: string; format?: (v: number) => string; testId: string }) {
  const max = Math.max(1, ...points.map((p) => p.value));
  const total = points.reduce((s, p) => s + p.value, 0);
  const inner = width - pad.left - pad.right;
  const step = inner / Math.max(points.length, 1);
  const barH = (v: number) => ((height - pad.top - pad.bottom) * v) / max;
  return (
    <figure class="ts-chart" data-testid={testId}>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={`${label}: ${format(total)} (${points[0]?.label ?? ""} – ${points.at(-1)?.label ?? ""})`} style={{ maxWidth: `${width}px` }}>
        <line x1={pad.left} x2={width - pad.right} y1={height - pad.bottom} y2={height - pad.bottom} stroke="#888" />
        {points.map((p, i) => (
          <rect key={p.label} x={pad.left + i * step + step * 0.1} y={height - pad.bottom - barH(p.value)} width={Math.max(step * 0.8, 1)} height={barH(p.value)} fill={chartColors[0]} data-value={p.value}>
            <title>{`${p.label}: ${format(p.value)}`}</title>
          </rect>
        ))}
        <text x={pad.left} y={height - 4} font-size="12" fill="#444">
          {points[0]?.label}
        </text>
        <text x={width - pad.right} y={height - 4} font-size="12" fill="#444" text-anchor="end">
          {points.at(-1)?.label}
        </text>
        <text x={pad.left} y={pad.top} font-size="12" fill="#444">
          {format(max)}
        </text>
      </svg>
    </figure>
  );
}

export interface Series {
  name: string;
  values: readonly (number | null)[];
}

/** Lines of shares in basis points (0 – 100 %) over days; a day without a share leaves a gap. */
export function ShareChart({ labels, series, label, testId }: { labels: readonly string[]; series: readonly Series[]; label: string; testId: string }) {
  return <LineChart labels={labels} series={series} label={label} testId={testId} max={10_000} format={(v) => `${(v / 100).toFixed(2)} %`} guide={5000} />;
}

/** Lines over days on one scale (0 … max, or the largest value); a null value leaves a gap. */
export function LineChart({ labels, series, label, testId, max, format = String, guide }: { labels: readonly string[]; series: readonly Series[]; label: string; testId: string; max?: number; format?: (v: number) => string; guide?: number }) {
  const top = max ?? Math.max(1, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const inner = width - pad.left - pad.right;
  const x = (i: number) => pad.left + (labels.length <= 1 ? inner / 2 : (inner * i) / (labels.length - 1));
  const y = (v: number) => height - pad.bottom - ((height - pad.top - pad.bottom) * v) / top;
  return (
    <figure class="ts-chart" data-testid={testId}>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-label={`${label}: ${series.map((s) => s.name).join(", ")}`} style={{ maxWidth: `${width}px` }}>
        <line x1={pad.left} x2={width - pad.right} y1={y(0)} y2={y(0)} stroke="#888" />
        {guide !== undefined && <line x1={pad.left} x2={width - pad.right} y1={y(guide)} y2={y(guide)} stroke="#ddd" stroke-dasharray="4 4" />}
        {series.map((s, k) => {
          const dots = s.values.map((v, i) => (v === null ? null : { cx: x(i), cy: y(v), v, day: labels[i] ?? "" })).filter((d) => d !== null);
          return (
            <g key={s.name} data-series={k}>
              <polyline points={dots.map((d) => `${d.cx},${d.cy}`).join(" ")} fill="none" stroke={chartColors[k % chartColors.length]} stroke-width="2" />
              {dots.length <= 62 &&
                dots.map((d) => (
                  <circle key={d.day} cx={d.cx} cy={d.cy} r="3" fill={chartColors[k % chartColors.length]}>
                    <title>{`${s.name} ${d.day}: ${format(d.v)}`}</title>
                  </circle>
                ))}
            </g>
          );
        })}
        <text x={pad.left} y={height - 4} font-size="12" fill="#444">
          {labels[0]}
        </text>
        <text x={width - pad.right} y={height - 4} font-size="12" fill="#444" text-anchor="end">
          {labels.at(-1)}
        </text>
        <text x={pad.left} y={pad.top} font-size="12" fill="#444">
          {format(top)}
        </text>
      </svg>
      <figcaption>
        {series.map((s, k) => (
          <span key={s.name} style={{ marginRight: "1em" }}>
            <span aria-hidden="true" style={{ color: chartColors[k % chartColors.length] }}>
              ■
            </span>{" "}
            {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Horizontal bars with their figures in a table (categories, campaigns): readable without the picture. */
export function BarTable({ rows, head, testId }: { rows: readonly { key: string; label: string; yen: number; note?: string }[]; head: [string, string]; testId: string }) {
  const max = Math.max(1, ...rows.map((r) => r.yen));
  return (
    <table class="ts-table" data-testid={testId}>
      <thead>
        <tr>
          <th>{head[0]}</th>
          <th>{head[1]}</th>
          <th aria-hidden="true" />
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <td>
              {r.label}
              {r.note ? ` (${r.note})` : ""}
            </td>
            <td>{formatYen(r.yen)}</td>
            <td aria-hidden="true" style={{ width: "40%" }}>
              <svg viewBox="0 0 100 12" width="100%" height="12" preserveAspectRatio="none">
                <rect x="0" y="0" width={(100 * r.yen) / max} height="12" fill={chartColors[0]} />
              </svg>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A share in basis points as "12.34 %", or "—" when undefined (nothing to divide). */
export function formatBps(bps: number | null): string {
  return bps === null ? "—" : `${(bps / 100).toFixed(2)} %`;
}
