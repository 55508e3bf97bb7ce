import { theme } from "antd";
import { useEffect, useRef, useState } from "react";

export interface Bar {
  label: string;
  value: number;
  color?: string;
}

/** Narrowest slot that still has room for its value above the bar. */
const VALUE_MIN_SLOT = 30;
/** Rough text width at 12 px: a CJK character is square, a Latin one about half that. */
const textWidth = (s: string, size: number) => [...s].reduce((w, c) => w + (/[\u2e80-\uffff]/.test(c) ? size : size * 0.6), 0);

/** The element's width in CSS pixels, kept current on resize (window events: WeChat's older WebViews lack ResizeObserver). */
function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const measure = () => setWidth(ref.current?.clientWidth ?? 0);
    measure();
    window.addEventListener("resize", measure);
    window.addEventListener("orientationchange", measure);
    return () => {
      window.removeEventListener("resize", measure);
      window.removeEventListener("orientationchange", measure);
    };
  }, []);
  return [ref, width] as const;
}

/**
 * A small dependency-free bar chart drawn at the width it is given, so its text stays readable on a
 * phone: with many bars (30 days) the values move into each bar's tooltip and only every n-th label is
 * drawn. The whole series is in the accessible label.
 */
export function BarChart({ bars, title, unit = "" }: { bars: Bar[]; title: string; unit?: string }) {
  const { token } = theme.useToken();
  const [ref, measured] = useWidth();
  const w = Math.max(200, measured || 320);
  const h = 180;
  const top = 22;
  const bottom = 34;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const slot = w / Math.max(1, bars.length);
  const bw = Math.max(2, Math.min(40, slot * 0.6));
  const showValues = slot >= VALUE_MIN_SLOT;
  // Labels shrink to 10 px before any is dropped; if they still do not fit, only every n-th is drawn.
  const widest = (size: number) => Math.max(0, ...bars.map((b) => textWidth(b.label, size))) + 6;
  const labelSize = widest(12) <= slot ? 12 : 10;
  const labelEvery = Math.max(1, Math.ceil(widest(labelSize) / slot));
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
  const summary = `${title}: ${bars.map((b) => `${b.label} ${fmt(b.value)}${unit}`).join(", ")}`;
  return (
    <div ref={ref} style={{ width: "100%" }}>
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={summary} style={{ display: "block", maxWidth: "100%" }}>
        <line x1={0} x2={w} y1={h - bottom} y2={h - bottom} stroke={token.colorBorder} />
        {bars.map((b, i) => {
          const bh = ((h - top - bottom) * b.value) / max;
          const x = i * slot + (slot - bw) / 2;
          const y = h - bottom - bh;
          // The last label always shows (today, on the 30-day chart).
          const labelled = i % labelEvery === 0 || i === bars.length - 1;
          return (
            <g key={b.label}>
              <title>{`${b.label}: ${fmt(b.value)}${unit}`}</title>
              <rect x={x} y={y} width={bw} height={Math.max(bh, b.value > 0 ? 2 : 0)} rx={Math.min(4, bw / 2)} fill={b.color ?? token.colorPrimary} />
              {showValues && (
                <text x={x + bw / 2} y={y - 6} textAnchor="middle" fontSize={12} fill={token.colorText}>
                  {fmt(b.value)}
                </text>
              )}
              {labelled && (
                <text x={i * slot + slot / 2} y={h - bottom + 18} textAnchor="middle" fontSize={labelSize} fill={token.colorTextSecondary}>
                  {b.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
