// What a query cell needs from whoever answers it: the HTTP API (queries, and
// completion's labels, values and metadata), the explain tree and promlet's
// parse errors. The playground answers from its Web Worker, the server's web
// UI from the server.

import type { ExplainNode } from '../../promql/explain.js';

export interface LintError {
  from: number;
  to: number;
  message: string;
}

export interface QueryBackend {
  /** A request to Prometheus's HTTP API, by its absolute path (/api/v1/query?...). */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  explain(expr: string, timeMs: number): Promise<ExplainNode>;
  lint(expr: string): Promise<LintError[]>;
}
