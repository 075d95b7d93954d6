/** Host and port of an exporter-style listen address: `:9847`, `127.0.0.1:9847`, `[::1]:9847`. */
export function parseListenAddress(text: string): { host: string | null; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  const host = m[1] ?? m[2] ?? '';
  // An empty host means every interface, as in Go's net.Listen.
  return { host: host === '' ? null : host, port };
}
