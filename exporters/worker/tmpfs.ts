// tmpfs size limits as the kernel states them in mount options (mm/shmem.c, memparse()).

const SUFFIX: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50, e: 2 ** 60 };

/**
 * The size limit of a tmpfs from its mount options, in bytes: `size=8388608k` (how the kernel
 * prints it), `size=8g`, `size=50%` (of RAM) or `nr_blocks=` pages. The kernel prints `size=`
 * only when it differs from the default, half of RAM (shmem_show_options): no `size=` means
 * that default. Null when the tmpfs has no limit (`size=0k`) or the option is garbled.
 */
export function tmpfsSizeLimit(options: ReadonlyMap<string, string>, memTotalBytes: number, pageSize: number): number | null {
  const size = options.get('size');
  if (size !== undefined) {
    const m = /^(\d+)([kmgtpe%]?)$/i.exec(size.trim());
    if (!m) return null;
    const n = Number(m[1]);
    const unit = m[2]!.toLowerCase();
    const bytes = unit === '%' ? Math.floor((memTotalBytes * n) / 100) : n * (unit ? SUFFIX[unit]! : 1);
    // The kernel rounds the limit up to whole pages.
    return bytes > 0 ? Math.ceil(bytes / pageSize) * pageSize : null;
  }
  const blocks = options.get('nr_blocks');
  if (blocks !== undefined) return /^\d+$/.test(blocks) && Number(blocks) > 0 ? Number(blocks) * pageSize : null;
  // shmem_default_max_blocks(): totalram_pages() / 2.
  return Math.floor(memTotalBytes / pageSize / 2) * pageSize;
}
