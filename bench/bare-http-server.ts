// The runtime's floor for the load scenario: a node:http server with nothing of headroom's,
// answering /metrics with a fixed body (headroom's own exposition, captured by the scenario),
// gzipped per request at level 1 as headroom does. Run with serve's node flags and, as serve
// without the obs collector, without the optimising compiler from its first line.
import { applyOptimizingCompiler } from '../src/node-flags.js';

applyOptimizingCompiler(false);
const { createServer } = await import('node:http');
const { gzipSync } = await import('node:zlib');
const { readFileSync } = await import('node:fs');

const [bodyFile, port] = process.argv.slice(2);
const body = readFileSync(bodyFile!);
createServer((req, res) => {
  if (req.url !== '/metrics') {
    res.writeHead(404).end();
    return;
  }
  res.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
  if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
    res.setHeader('content-encoding', 'gzip');
    res.end(gzipSync(body, { level: 1 }));
  } else {
    res.end(body);
  }
}).listen(Number(port), '127.0.0.1');
