/** Kahan-Neumaier summation step (Prometheus's util/kahansum.Inc): returns [sum, compensation]. */
export function kahanInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) return [t, 0];
  if (Math.abs(sum) >= Math.abs(inc)) return [t, c + ((sum - t) + inc)];
  return [t, c + ((inc - t) + sum)];
}
