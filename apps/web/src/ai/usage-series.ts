export interface DaySpend {
  day: string;
  costUsd: number;
  requests: number;
}

/** Every UTC day of this month up to today, with the days that had no calls as zero (the API lists only days with calls). */
export function daysOfMonthSoFar(byDay: readonly DaySpend[], now: Date): DaySpend[] {
  const known = new Map(byDay.map((row) => [row.day, row]));
  const days: DaySpend[] = [];
  for (let date = 1; date <= now.getUTCDate(); date++) {
    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), date)).toISOString().slice(0, 10);
    days.push(known.get(day) ?? { day, costUsd: 0, requests: 0 });
  }
  return days;
}

const featureLabels: Record<string, string> = {
  triage: "Sorting new mail",
  summary: "Thread summaries",
  draft: "Reply drafts",
  test: "Provider tests",
};

export function featureLabel(feature: string): string {
  return featureLabels[feature] ?? feature;
}
