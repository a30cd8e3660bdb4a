/** Kahan-Neumaier summation step (Prometheus's util/kahansum.Inc): returns [sum, compensation]. */
export function kahanInc(inc: number, sum: number, c: number): [number, number] {
  return [sum + inc, kahanComp(inc, sum, c)];
}

/**
 * kahanInc's compensation alone (the new sum is sum + inc), for hot loops
 * that keep sum and compensation in locals or typed arrays: no pair per step.
 */
export function kahanComp(inc: number, sum: number, c: number): number {
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) return 0;
  if (Math.abs(sum) >= Math.abs(inc)) return c + ((sum - t) + inc);
  return c + ((inc - t) + sum);
}
