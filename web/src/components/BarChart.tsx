/**
 * A small SVG bar chart: enough for statistics without shipping a chart library. The values are also
 * in the accessible name, so a screen reader gets the numbers the picture shows.
 */
import { theme } from "antd";

export interface Bar {
  label: string;
  value: number;
  color?: string;
}

export function BarChart({ bars, title, unit = "" }: { bars: Bar[]; title: string; unit?: string }) {
  const { token } = theme.useToken();
  const max = Math.max(1, ...bars.map((b) => b.value));
  const w = Math.max(280, bars.length * 56);
  const h = 180;
  const top = 22;
  const bottom = 34;
  const slot = w / Math.max(1, bars.length);
  const bw = Math.min(40, slot * 0.6);
  const summary = `${title}: ${bars.map((b) => `${b.label} ${b.value}${unit}`).join(", ")}`;
  return (
    <svg viewBox={`0 0 ${w} ${h}`} width="100%" role="img" aria-label={summary} style={{ maxHeight: 240, display: "block" }}>
      <line x1={0} x2={w} y1={h - bottom} y2={h - bottom} stroke={token.colorBorder} />
      {bars.map((b, i) => {
        const bh = ((h - top - bottom) * b.value) / max;
        const x = i * slot + (slot - bw) / 2;
        const y = h - bottom - bh;
        return (
          <g key={b.label}>
            <rect x={x} y={y} width={bw} height={Math.max(bh, b.value > 0 ? 2 : 0)} rx={4} fill={b.color ?? token.colorPrimary} />
            <text x={x + bw / 2} y={y - 6} textAnchor="middle" fontSize={12} fill={token.colorText}>
              {Number.isInteger(b.value) ? b.value : b.value.toFixed(1)}
            </text>
            <text x={i * slot + slot / 2} y={h - bottom + 18} textAnchor="middle" fontSize={12} fill={token.colorTextSecondary}>
              {b.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
