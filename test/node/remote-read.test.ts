// `promlet serve` and remote read: /api/v1/read with the
// --storage.remote.read-* limits, the flags listed in status/flags, a bad
// flag value refused, and remote_read errors caught by `promlet check config`.

import { compress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { servePromlet } from '../../src/node/serve.js';
import { runCli } from '../../src/node/cli.js';
import { checkConfig } from '../../src/node/check-config.js';
import { ReadRequest } from '../../src/remote/read-proto.js';

const readBody = (name: string) => compress(ReadRequest.encode(ReadRequest.fromObject({
  queries: [{ start_timestamp_ms: 0, end_timestamp_ms: 1e13, matchers: [{ type: 0, name: '__name__', value: name }] }],
})).finish()) as BodyInit;

describe('serve: remote read', () => {
  it('serves /api/v1/read with the sample limit it was given', async () => {
    const s = await servePromlet({ listen: '127.0.0.1:0', remoteReadSampleLimit: 3 });
    try {
      const t0 = Date.now() - 60_000;
      const app = s.db.appender();
      for (let i = 0; i < 5; i++) app.append({ __name__: 'few', job: 'a' }, t0 + 1000 * i, i);
      app.append({ __name__: 'fewer', job: 'a' }, t0, 1);
      await app.commit();
      const ok = await fetch(`${s.url}/api/v1/read`, { method: 'POST', body: readBody('fewer') });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toBe('application/x-protobuf');
      const over = await fetch(`${s.url}/api/v1/read`, { method: 'POST', body: readBody('few') });
      expect(over.status).toBe(400);
      expect(await over.text()).toBe('exceeded sample limit (3)\n');
      const flags = (await (await fetch(`${s.url}/api/v1/status/flags`)).json()) as { data: Record<string, string> };
      expect(flags.data['storage.remote.read-sample-limit']).toBe('3');
      expect(flags.data['storage.remote.read-concurrent-limit']).toBe('10');
      expect(flags.data['storage.remote.read-max-bytes-in-frame']).toBe('1048576');
    } finally {
      await s.stop();
    }
  });

  it('refuses a limit that is not a non-negative integer', async () => {
    let err = '';
    const code = await runCli(['serve', '--storage.remote.read-sample-limit=lots'], { out: () => {}, err: (m) => void (err += m) });
    expect(code).toBe(2);
    expect(err).toContain('--storage.remote.read-sample-limit: want a non-negative integer, got "lots"');
  });

  it('checks remote_read in the configuration', () => {
    expect(checkConfig('remote_read:\n  - url: ftp://x\n')).toEqual(['remote_read[0]: url "ftp://x" is not an http(s) URL']);
    expect(checkConfig('remote_read:\n  - url: http://x\n    read_recent: sometimes\n')).toEqual(['remote_read "remote-read-0": read_recent: want true or false, got "sometimes"']);
    expect(checkConfig('remote_read:\n  - url: http://x\n    headers: { Authorization: x }\n')).toEqual(['remote_read "remote-read-0": Authorization is a reserved header. It must not be changed']);
    expect(checkConfig('remote_read:\n  - url: http://x/api/v1/read\n    required_matchers: { job: a }\n')).toEqual([]);
  });
});
