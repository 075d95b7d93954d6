// Links between the README and the docs/ pages: every relative link names a file that exists
// and, with an anchor, a heading of that file (GitHub's anchor rule), so moving text between
// pages cannot leave a dead link behind.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(path.join(dir, e.name)) : e.name.endsWith('.md') ? [path.join(dir, e.name)] : [],
  );
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, '').replace(/ /g, '-');
}

function headingsOf(markdown: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = fenced ? null : /^#+ (.*)$/.exec(line);
    if (m) out.add(anchorOf(m[1]!));
  }
  return out;
}

const pages = [path.join(root, 'README.md'), ...markdownFiles(path.join(root, 'docs'))];

describe('links between the README and docs/', () => {
  it('reads GitHub anchors as GitHub writes them', () => {
    expect(anchorOf('Try it: `npm run demo`')).toBe('try-it-npm-run-demo');
    expect(anchorOf('The estate: one file → the whole monitoring setup')).toBe('the-estate-one-file--the-whole-monitoring-setup');
  });

  it('every relative link reaches an existing file and heading', () => {
    const dead: string[] = [];
    let checked = 0;
    for (const page of pages) {
      const text = readFileSync(page, 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
        const [file, anchor] = target.split('#') as [string, string | undefined];
        const resolved = file === '' ? page : path.resolve(path.dirname(page), file);
        checked++;
        if (!existsSync(resolved)) dead.push(`${path.relative(root, page)}: ${target} (no such file)`);
        else if (anchor !== undefined && !headingsOf(readFileSync(resolved, 'utf8')).has(anchor)) dead.push(`${path.relative(root, page)}: ${target} (no such heading)`);
      }
    }
    expect(dead).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });
});
