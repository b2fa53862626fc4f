export interface Confusion {
  labels: string[];
  /** counts[actual][predicted] */
  counts: Record<string, Record<string, number>>;
  total: number;
  correct: number;
}

export function confusion(labels: string[], pairs: { actual: string; predicted: string }[]): Confusion {
  const counts: Record<string, Record<string, number>> = {};
  for (const actual of labels) counts[actual] = Object.fromEntries(labels.map((label) => [label, 0]));
  let correct = 0;
  for (const { actual, predicted } of pairs) {
    const row = counts[actual];
    if (row) row[predicted] = (row[predicted] ?? 0) + 1;
    if (actual === predicted) correct++;
  }
  return { labels, counts, total: pairs.length, correct };
}

export const accuracy = (matrix: Confusion) => (matrix.total === 0 ? 0 : matrix.correct / matrix.total);

export function formatConfusion(title: string, matrix: Confusion): string {
  const width = Math.max(8, ...matrix.labels.map((label) => label.length + 2));
  const pad = (value: string) => value.padStart(width);
  const header = `${"actual \\ predicted".padEnd(20)}${matrix.labels.map(pad).join("")}`;
  const rows = matrix.labels.map(
    (actual) =>
      `${actual.padEnd(20)}${matrix.labels.map((p) => pad(String(matrix.counts[actual]?.[p] ?? 0))).join("")}`,
  );
  return [`${title}: ${(accuracy(matrix) * 100).toFixed(1)}% of ${matrix.total}`, header, ...rows].join("\n");
}
