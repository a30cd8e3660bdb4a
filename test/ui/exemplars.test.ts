import { describe, expect, it } from 'vitest';
import { exemplarExtent, exemplarPoints, newestPoints } from '../../src/ui/cell/exemplars.js';

const series = (values: [string, number][]) => [{
  seriesLabels: { __name__: 'x_bucket', le: '0.5' },
  exemplars: values.map(([value, timestamp], i) => ({ labels: { trace_id: `t${i}` }, value, timestamp })),
}];

describe('exemplars on the graph', () => {
  it('places only the exemplars an axis can hold, and stretches the y scale to them', () => {
    const points = exemplarPoints(series([['0.25', 10], ['+Inf', 11], ['NaN', 12], ['-3e2', 13]]));
    expect(points.map((p) => [p.labels.trace_id, p.y, p.t])).toEqual([['t0', 0.25, 10], ['t3', -300, 13]]);
    expect(exemplarExtent(points)).toEqual([-300, 0.25]);
    expect(exemplarExtent([])).toBeNull();
  });

  it('keeps the newest when there are more than it draws', () => {
    const points = exemplarPoints(series([['1', 30], ['2', 10], ['3', 20], ['4', 40]]));
    expect(newestPoints(points, 2).map((p) => p.t)).toEqual([40, 30]);
    expect(newestPoints(points, 4)).toBe(points);
  });
});
