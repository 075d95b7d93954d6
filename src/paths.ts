import path from 'node:path';

/**
 * Where collectors read the host from. Independent of each other, as in node_exporter, so a
 * fixture tree can stand in for any one of them.
 */
export interface HostPaths {
  readonly procfs: string;
  readonly sysfs: string;
  readonly rootfs: string;
}

export const defaultHostPaths: HostPaths = { procfs: '/proc', sysfs: '/sys', rootfs: '/' };

export function procPath(paths: HostPaths, ...parts: string[]): string {
  return path.join(paths.procfs, ...parts);
}

export function sysPath(paths: HostPaths, ...parts: string[]): string {
  return path.join(paths.sysfs, ...parts);
}

/** A host path (absolute, as the host sees it) resolved under --path.rootfs. */
export function rootPath(paths: HostPaths, hostPath: string): string {
  return path.join(paths.rootfs, hostPath);
}
