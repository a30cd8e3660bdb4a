// A Node service that keeps its own metrics in promlet, in-process: it
// counts requests and times them with prom-client's surface, also records a
// prom-client registry, evaluates an alerting rule, and answers PromQL,
// all without HTTP.
//
//   node --import tsx examples/service.ts

import { Registry as PromClientRegistry, Gauge as PromClientGauge } from 'prom-client';
import { createPromlet } from 'promlet';

const rules = `
groups:
  - name: service
    rules:
      - alert: HighErrorRatio
        expr: sum(rate(app_requests_total{code="500"}[1m])) / sum(rate(app_requests_total[1m])) > 0.1
`;

const fired: string[] = [];
const promlet = await createPromlet({
  interval: 0, // this example records on collect(); a service would use the default 15s
  labels: { job: 'checkout', instance: 'local' },
  rules: [{ path: 'service-rules.yml', text: rules }],
  onAlert: (alerts) => fired.push(...alerts.map((a) => a.labels.alertname!)),
});

const requests = promlet.counter({ name: 'app_requests_total', help: 'Requests handled.', labelNames: ['code'] });
const latency = promlet.histogram({ name: 'app_request_duration_seconds', help: 'Request latency.', buckets: [0.01, 0.05, 0.1, 0.5] });

// Metrics a library already exposes through prom-client are recorded too.
const legacy = new PromClientRegistry();
new PromClientGauge({ name: 'legacy_queue_depth', help: 'Items waiting.', registers: [legacy] }).set(7);
promlet.collectFrom(legacy);

// A minute of traffic, recorded every 15 s; a fifth of the requests fail in the last half.
const start = Date.now() - 60_000;
for (let step = 0; step <= 4; step++) {
  for (let i = 0; i < 100; i++) {
    requests.inc({ code: step >= 2 && i % 5 === 0 ? 500 : 200 });
    latency.observe(0.002 + (i % 10) * 0.01);
  }
  await promlet.collect(start + step * 15_000);
}
await promlet.evaluateRules(start + 60_000);

const show = async (q: string) => {
  const r = await promlet.query(q, start + 60_000);
  const rows = r.resultType === 'vector' ? r.result.map((s) => `${JSON.stringify(s.metric)} ${s.value?.[1] ?? JSON.stringify(s.histogram?.[1])}`) : [JSON.stringify(r.result)];
  console.log(`${q}\n  ${rows.join('\n  ')}`);
};
await show('sum by (code) (increase(app_requests_total[1m]))');
await show('histogram_quantile(0.9, sum by (le) (rate(app_request_duration_seconds_bucket[1m])))');
await show('legacy_queue_depth');
console.log(`alerts: ${promlet.alerts().map((a) => `${a.name} ${a.state}`).join(', ')}`);
console.log(`sent to onAlert: ${fired.join(', ')}`);
await promlet.close();
