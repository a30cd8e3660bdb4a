// Prints "N passed, M failed" from a vitest JSON report and exits non-zero
// on any failure, on a report without tests, or on a missing report.
import { readFileSync, existsSync } from 'node:fs';

const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.log('0 passed, 1 failed');
  console.error(`vitest report ${file ?? '(none)'} is missing`);
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
let passed = r.numPassedTests ?? 0;
let failed = r.numFailedTests ?? 0;
// A file that failed to load has status "failed" but no failed test.
for (const f of r.testResults ?? []) {
  const failedTests = (f.assertionResults ?? []).filter((a) => a.status === 'failed').length;
  if (f.status === 'failed' && failedTests === 0) {
    failed++;
    console.error(`test file failed without a failing test (import error?): ${f.name}\n${f.message ?? ''}`);
  }
}
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
if (skipped > 0) console.error(`${skipped} tests were skipped or todo: a skipped test is not a passing test`);
console.log(`${passed} passed, ${failed + skipped} failed`);
process.exit(failed + skipped > 0 || passed === 0 ? 1 : 0);
