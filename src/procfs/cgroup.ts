/**
 * The cgroup v2 path of a process from /proc/<pid>/cgroup: the `0::<path>` line. null on a
 * cgroup v1 only host (no such line) and for a hybrid host's empty v2 hierarchy (`0::/`).
 */
export function cgroupV2Path(text: string): string | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith('0::')) continue;
    const p = line.slice(3).trim();
    return p === '' || p === '/' ? null : p;
  }
  return null;
}

/**
 * The nearest systemd scope holding a cgroup: the unit a VM runs in when systemd-machined or
 * libvirt placed it (`/machine.slice/machine-qemu\x2d3\x2dweb01.scope/libvirt/emulator` →
 * `/machine.slice/machine-qemu\x2d3\x2dweb01.scope`). A service or slice is shared with other
 * processes, so it is not the VM's: null then.
 */
export function enclosingScope(cgroupPath: string): string | null {
  const parts = cgroupPath.split('/');
  for (let i = parts.length; i > 0; i--) {
    if (parts[i - 1]!.endsWith('.scope')) return parts.slice(0, i).join('/');
  }
  return null;
}
