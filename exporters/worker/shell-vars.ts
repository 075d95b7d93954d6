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

/** Double quotes in a physical line that are not backslash-escaped. */
function unescapedQuotes(text: string): number {
  return (text.replace(/\\./g, '').match(/"/g) ?? []).length;
}

/**
 * How much of a logical line's start the comment and assignment tests look at. Kept apart so
 * that a value spanning thousands of lines is not re-scanned (or re-copied) at every line:
 * that made a file with an unterminated quote near its top quadratic (minutes for a few MB).
 */
const HEAD_CHARS = 4096;

/** Joins double-quoted values that span lines, so each logical assignment is one string. */
function logicalLines(text: string): Array<{ line: string; lineNo: number }> {
  const out: Array<{ line: string; lineNo: number }> = [];
  // The pending logical line as its physical parts, its start, and its count of open quotes.
  let parts: string[] = [];
  let head = '';
  let quotes = 0;
  let startNo = 0;
  const extend = (part: string) => (parts.length === 0 ? part : head.length < HEAD_CHARS ? `${head}\n${part}` : head).slice(0, HEAD_CHARS);
  text.split('\n').forEach((raw, i) => {
    if (parts.length === 0) {
      startNo = i + 1;
      quotes = 0;
    }
    // A backslash-newline never pairs with a quote, so counting part by part equals counting the whole.
    quotes += unescapedQuotes(raw);
    if (raw.endsWith('\\') && !/^\s*#/.test(extend(raw))) {
      head = extend(raw.slice(0, -1));
      parts.push(raw.slice(0, -1));
      return;
    }
    head = extend(raw);
    parts.push(raw);
    if (quotes % 2 === 1 && /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*="/.test(head)) return;
    out.push({ line: parts.join('\n'), lineNo: startNo });
    parts = [];
  });
  if (parts.length > 0) out.push({ line: parts.join('\n'), lineNo: startNo });
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
