// What a real OBS back end said, read with plain regular expressions: the expected values of
// the real-back-end tests come from here (or from the back end's files), never from headroom's
// own parser.

function attrs(tag: string): Record<string, string> {
  return Object.fromEntries([...tag.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

function elements(xml: string, name: string): Array<Record<string, string>> {
  return [...xml.matchAll(new RegExp(`<${name}\\s[^>]*>`, 'g'))].map((m) => attrs(m[0]));
}

export interface WorkerStatusReply {
  idle: Array<Record<string, string>>;
  building: Array<Record<string, string>>;
  down: Array<Record<string, string>>;
  waiting: Map<string, number>;
  blocked: Map<string, number>;
  /** "type" or "scheduler/<arch>" -> attributes (state, starttime). */
  daemons: Map<string, Record<string, string>>;
}

export function readWorkerStatus(xml: string): WorkerStatusReply {
  const perArch = (name: string) => new Map(elements(xml, name).map((a) => [a.arch!, Number(a.jobs)]));
  return {
    idle: elements(xml, 'idle'),
    building: elements(xml, 'building'),
    down: elements(xml, 'down'),
    waiting: perArch('waiting'),
    blocked: perArch('blocked'),
    daemons: new Map(elements(xml, 'daemon').map((a) => [a.arch ? `${a.type}/${a.arch}` : a.type!, a])),
  };
}

/** Package counts per status code of one repository/arch in a full `_result` reply. */
export function resultCodes(xml: string, repository: string, arch: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of xml.matchAll(/<result ([^>]*)>([\s\S]*?)<\/result>/g)) {
    const a = attrs(m[1]!);
    if (a.repository !== repository || a.arch !== arch) continue;
    for (const s of elements(m[2]!, 'status')) counts.set(s.code!, (counts.get(s.code!) ?? 0) + 1);
  }
  return counts;
}

/** A repository's state attribute in a `_result` reply. */
export function repositoryState(xml: string, repository: string, arch: string): string | undefined {
  for (const m of xml.matchAll(/<result ([^>]*)>/g)) {
    const a = attrs(m[1]!);
    if (a.repository === repository && a.arch === arch) return a.state;
  }
  return undefined;
}

/** The entries of a `_jobhistory` reply (package, workerid, hostarch, readytime, starttime, endtime, code...). */
export function jobHistory(xml: string): Array<Record<string, string>> {
  return elements(xml, 'jobhist');
}
