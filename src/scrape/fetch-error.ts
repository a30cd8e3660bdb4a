// Why a fetch failed, in words: fetch's own error says only "fetch failed"
// and keeps the reason (connection refused, unknown host, TLS, timeout) in
// its cause, where a scrape error or a CLI message should show it.

export function fetchCause(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string; errors?: { message: string }[] } };
  if (err.name === 'TimeoutError') return 'context deadline exceeded (the scrape timeout passed)';
  const cause = err.cause;
  if (!cause) return err.message ?? String(e);
  // A host with IPv4 and IPv6 addresses fails with an AggregateError whose own message is empty.
  return cause.message || cause.errors?.map((x) => x.message).join('; ') || cause.code || err.message || String(e);
}
