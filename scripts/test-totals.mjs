// Prints the plain totals line CI reads ("N passed, M failed, K skipped") from vitest's JSON report.
// A test file that failed before running any test (an import error, a failed setup) counts as one failure.
import { readFileSync } from "node:fs";

const file = process.argv.slice(2).find((arg) => !arg.startsWith("--")) ?? "test-results/vitest.json";
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch (error) {
  console.error(`no test report at ${file}: ${error.message}`);
  process.stdout.write("0 passed, 1 failed\n");
  process.exit(1);
}

const brokenFiles = report.testResults.filter(
  (result) => result.status === "failed" && !result.assertionResults.some((test) => test.status === "failed"),
).length;
const passed = report.numPassedTests;
// Vitest fails a run for errors outside any test (e.g. unhandled rejections), which its JSON report
// does not show; the runner's exit code, when given, makes such a run count one failure.
const exitCode = Number(process.argv.find((arg) => arg.startsWith("--exit-code="))?.split("=")[1] ?? 0);
const stray = exitCode !== 0 && report.numFailedTests + brokenFiles === 0 ? 1 : 0;
if (stray)
  console.error(`vitest exited ${exitCode} with no failed test: errors outside the tests, counted as one failure`);
const failed = report.numFailedTests + brokenFiles + stray;
const skipped = report.numPendingTests + report.numTodoTests;
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
