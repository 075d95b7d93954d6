// OBS worker configuration files are shell scripts that obsworker sources. headroom reads them
// as data, never executes them: only plain assignments count, everything else is ignored.

export class ShellSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellSyntaxError';
  }
}

/**
 * Reads one shell word starting at `i` (quotes, backslashes; no expansion) and returns its
 * value and where it ended. Stops at unquoted whitespace, `;` or `#` at a word start.
 */
function readWord(line: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === ';') break;
    if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError('unterminated single quote');
      value += line.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new ShellSyntaxError('unterminated double quote');
        const d = line[i]!;
        if (d === '"') {
          i++;
          break;
        }
        // Inside double quotes a backslash only escapes $ ` " \ (POSIX).
        if (d === '\\' && i + 1 < line.length && '$`"\\'.includes(line[i + 1]!)) {
          value += line[i + 1];
          i += 2;
        } else {
          value += d;
          i++;
        }
      }
    } else if (c === '\\' && i + 1 < line.length) {
      value += line[i + 1];
      i += 2;
    } else {
      value += c;
      i++;
    }
  }
  return { value, end: i };
}

/** Joins double-quoted values that span lines, so each logical assignment is one string. */
function logicalLines(text: string): Array<{ line: string; lineNo: number }> {
  const out: Array<{ line: string; lineNo: number }> = [];
  let pending = '';
  let startNo = 0;
  text.split('\n').forEach((raw, i) => {
    if (!pending) startNo = i + 1;
    const line = pending ? `${pending}\n${raw}` : raw;
    if (/\\$/.test(line) && !/^\s*#/.test(line)) {
      pending = line.slice(0, -1);
      return;
    }
    const quotes = (line.replace(/\\./g, '').match(/"/g) ?? []).length;
    if (quotes % 2 === 1 && /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*="/.test(line)) {
      pending = line;
      return;
    }
    pending = '';
    out.push({ line, lineNo: startNo });
  });
  if (pending) out.push({ line: pending, lineNo: startNo });
  return out;
}

/**
 * Variables assigned in a sysconfig-style shell file: `NAME=value`, `NAME="value"`,
 * `NAME='value'`, `export NAME=value`, with comments. Later assignments win, as when sourced.
 * Lines that are not assignments (conditionals, commands) are skipped; `$VAR` is kept literally.
 * Throws ShellSyntaxError (with the line number) on an unterminated quote.
 */
export function parseShellAssignments(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  logicalLines(text.replace(/\r\n/g, '\n')).forEach(({ line, lineNo }) => {
    const m = /^\s*(?:export\s+|readonly\s+|declare\s+(?:-[a-zA-Z]+\s+)*)?([A-Za-z_][A-Za-z0-9_]*)=/.exec(line);
    if (!m) return;
    try {
      const { value, end } = readWord(line, m[0].length);
      // `A=1 command` sets A for that command only: not an assignment of the file.
      const rest = line.slice(end).trimStart();
      if (rest !== '' && !rest.startsWith('#') && !rest.startsWith(';')) return;
      vars.set(m[1]!, value);
    } catch (err) {
      if (err instanceof ShellSyntaxError) throw new ShellSyntaxError(`line ${lineNo}: ${err.message}`);
      throw err;
    }
  });
  return vars;
}
