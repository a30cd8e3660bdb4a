// Float formatting of the exposition formats lives in src/model/float.ts;
// re-exported for code that imports it from here.

export { formatOpenMetricsFloat, goFormatG } from '../model/float.js';
