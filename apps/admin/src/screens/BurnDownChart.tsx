// The burn-down of one campaign as a hand-made SVG bar: used, expired and remaining as shares of what was issued,
// with the figures in yen beside it (the chart is decoration; the numbers are the content). Only the swatches carry
// the colours: the gold of "remaining" is too light for text on white.
import { formatYen } from "@tsubaki/ui";

export interface BurnDown {
  issued_yen: number;
  used_yen: number;
  expired_yen: number;
  remaining_yen: number;
  budget_available_yen: number;
}

const colors = { used: "#2f6f4e", expired: "#a33a3a", remaining: "#c9a227" } as const;

export function BurnDownChart({ figures, labels }: { figures: BurnDown; labels: { used: string; expired: string; remaining: string; budget: string } }) {
  const width = 320;
  const total = Math.max(figures.issued_yen, 1);
  const parts = [
    { key: "used" as const, yen: figures.used_yen },
    { key: "expired" as const, yen: figures.expired_yen },
    { key: "remaining" as const, yen: figures.remaining_yen },
  ];
  let x = 0;
  return (
    <figure class="ts-stack" data-testid="burn-down">
      <svg width={width} height={28} viewBox={`0 0 ${width} 28`} role="img" aria-label={parts.map((p) => `${labels[p.key]} ${formatYen(p.yen)}`).join(", ")}>
        <rect x={0} y={0} width={width} height={28} fill="#eee" />
        {parts.map((p) => {
          const w = (p.yen / total) * width;
          const rect = <rect key={p.key} x={x} y={0} width={w} height={28} fill={colors[p.key]} data-part={p.key} />;
          x += w;
          return rect;
        })}
      </svg>
      <figcaption>
        <dl class="ts-stack">
          {parts.map((p) => (
            <div key={p.key}>
              <dt style={{ display: "inline" }}>
                <span aria-hidden="true" style={{ color: colors[p.key] }}>
                  ■
                </span>{" "}
                {labels[p.key]}
              </dt> <dd style={{ display: "inline" }} data-figure={p.key}>{formatYen(p.yen)}</dd>
            </div>
          ))}
          <div>
            <dt style={{ display: "inline" }}>{labels.budget}</dt> <dd style={{ display: "inline" }} data-figure="budget">{formatYen(figures.budget_available_yen)}</dd>
          </div>
        </dl>
      </figcaption>
    </figure>
  );
}
