// The page side of the OPFS blocks test: starts the worker and hands its report to the test.
declare global {
  interface Window { __blocks?: unknown }
}
const w = new Worker('/blocks-worker.js', { type: 'module' });
w.onmessage = (e) => (window.__blocks = e.data);
w.onerror = (e) => (window.__blocks = { error: e.message });
export {};
