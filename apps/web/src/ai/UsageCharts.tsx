import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatDay, formatUsd } from "./format-usd.ts";
import type { DaySpend } from "./usage-series.ts";

// Colours from the theme's variables, so the charts follow light and dark like the rest of the page.
const axis = { stroke: "var(--line)", tick: { fill: "var(--muted)", fontSize: 12 } };
const tooltipStyle = {
  contentStyle: {
    background: "var(--surface)",
    border: "1px solid var(--line)",
    borderRadius: 8,
    color: "var(--fg)",
    fontSize: 13,
  },
  labelStyle: { color: "var(--fg)", fontWeight: 600 },
  itemStyle: { color: "var(--fg)" },
  cursor: { fill: "var(--surface-muted)" },
};

/**
 * The chart is a picture for sighted users (hidden from assistive technology); the summary and the
 * table under it carry the same numbers for everyone.
 */
function ChartFigure({
  id,
  title,
  summary,
  chart,
  table,
}: {
  id: string;
  title: string;
  summary: string;
  chart: React.ReactNode;
  table: React.ReactNode;
}) {
  return (
    <section aria-labelledby={`${id}-title`} className="grid gap-3">
      <h2 id={`${id}-title`} className="text-lg font-semibold">
        {title}
      </h2>
      <p className="text-sm text-muted" data-testid={`${id}-summary`}>
        {summary}
      </p>
      <div aria-hidden="true" className="h-56 w-full" data-testid={`${id}-chart`}>
        {chart}
      </div>
      <details className="text-sm">
        <summary className="cursor-pointer font-medium text-link">Show as a table</summary>
        <div className="mt-3 overflow-x-auto">{table}</div>
      </details>
    </section>
  );
}

const cell = "border-b border-line px-3 py-1.5 text-left";
const numberCell = "border-b border-line px-3 py-1.5 text-right tabular-nums";

export function SpendByDayChart({ days }: { days: DaySpend[] }) {
  const total = days.reduce((sum, day) => sum + day.costUsd, 0);
  const busiest = days.reduce<DaySpend | undefined>(
    (best, day) => (day.costUsd > (best?.costUsd ?? 0) ? day : best),
    undefined,
  );
  const summary = busiest
    ? `${formatUsd(total)} so far this month; the most on ${formatDay(busiest.day)} (${formatUsd(busiest.costUsd)}).`
    : "No paid calls this month yet.";
  return (
    <ChartFigure
      id="ai-spend-by-day"
      title="Spend per day"
      summary={summary}
      chart={
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={days} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid vertical={false} stroke="var(--line)" />
            <XAxis dataKey="day" tickFormatter={formatDay} {...axis} minTickGap={16} />
            <YAxis tickFormatter={(value: number) => formatUsd(value)} width={72} {...axis} />
            <Tooltip
              {...tooltipStyle}
              labelFormatter={(day) => formatDay(String(day))}
              formatter={(value) => [formatUsd(Number(value)), "Spent"]}
            />
            <Bar dataKey="costUsd" fill="var(--accent)" radius={[4, 4, 0, 0]} maxBarSize={28} />
          </BarChart>
        </ResponsiveContainer>
      }
      table={
        <SpendTable
          heading="Day"
          rows={days
            .filter((day) => day.requests > 0)
            .map((day) => ({ key: day.day, label: formatDay(day.day), requests: day.requests, costUsd: day.costUsd }))}
        />
      }
    />
  );
}

export function SpendByFeatureChart({
  features,
}: {
  features: { feature: string; label: string; costUsd: number; requests: number }[];
}) {
  const sorted = [...features].sort((a, b) => b.costUsd - a.costUsd);
  const top = sorted[0];
  const summary = top
    ? `${sorted.map((row) => `${row.label}: ${formatUsd(row.costUsd)} (${row.requests} call${row.requests === 1 ? "" : "s"})`).join("; ")}.`
    : "No paid calls this month yet.";
  return (
    <ChartFigure
      id="ai-spend-by-feature"
      title="Spend per feature"
      summary={summary}
      chart={
        <ResponsiveContainer width="100%" height="100%">
          <BarChart
            data={sorted}
            layout="vertical"
            margin={{ top: 8, right: 16, bottom: 0, left: 0 }}
            accessibilityLayer={false}
          >
            <CartesianGrid horizontal={false} stroke="var(--line)" />
            <XAxis type="number" tickFormatter={(value: number) => formatUsd(value)} {...axis} />
            <YAxis type="category" dataKey="label" width={128} {...axis} />
            <Tooltip {...tooltipStyle} formatter={(value) => [formatUsd(Number(value)), "Spent"]} />
            <Bar dataKey="costUsd" fill="var(--accent)" radius={[0, 4, 4, 0]} maxBarSize={28} />
          </BarChart>
        </ResponsiveContainer>
      }
      table={<SpendTable heading="Feature" rows={sorted.map((row) => ({ key: row.feature, ...row }))} />}
    />
  );
}

/** The charts' text alternative: one row per day or feature with its calls and spend. */
function SpendTable({
  heading,
  rows,
}: {
  heading: string;
  rows: { key: string; label: string; requests: number; costUsd: number }[];
}) {
  return (
    <table className="w-full min-w-64 border-collapse">
      <thead>
        <tr>
          <th scope="col" className={cell}>
            {heading}
          </th>
          <th scope="col" className={numberCell}>
            Calls
          </th>
          <th scope="col" className={numberCell}>
            Spent
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key}>
            <th scope="row" className={`${cell} font-normal`}>
              {row.label}
            </th>
            <td className={numberCell}>{row.requests}</td>
            <td className={numberCell}>{formatUsd(row.costUsd)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
