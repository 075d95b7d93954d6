// A switchable front for the simulated OBS (sim/obs/server.ts), adding the hostile behaviours
// the simulator lacks: normally it passes requests through; in `drip` mode it answers with a
// valid worker status one byte every 100 ms, as a slowloris-style server or a dying link would.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FrontMode = 'pass' | 'drip';

export interface ObsFront {
  readonly url: string;
  /** Where `pass` forwards to (the simulator's URL), set once the simulator runs. */
  target: string | null;
  mode: FrontMode;
  /** Requests answered in drip mode so far. */
  readonly dripped: number;
  close(): Promise<void>;
}

const DRIP_DOCUMENT = '<workerstatus clients="1">\n  <idle workerid="drip:1" hostarch="x86_64"/>\n</workerstatus>\n';

export async function startObsFront(): Promise<ObsFront> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let dripped = 0;
  const front: ObsFront = {
    url: '',
    target: null,
    mode: 'pass',
    get dripped() {
      return dripped;
    },
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = http.createServer((req, res) => {
    if (front.mode === 'drip') {
      dripped++;
      const body = Buffer.from(DRIP_DOCUMENT);
      res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': body.length });
      let i = 0;
      const timer = setInterval(() => {
        if (res.destroyed || i >= body.length) {
          clearInterval(timer);
          timers.delete(timer);
          if (!res.destroyed) res.end();
          return;
        }
        res.write(body.subarray(i, i + 1));
        i++;
      }, 100);
      timers.add(timer);
      return;
    }
    if (!front.target) {
      res.writeHead(503).end();
      return;
    }
    const upstream = http.request(new URL(req.url ?? '/', front.target), { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (front as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return front;
}
