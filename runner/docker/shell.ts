/**
 * How a `run` step's shell text is started. OBuilder runs `bash -c`, and ocaml-ci's specs are
 * written for bash; minimal images (busybox, alpine) have only `sh`. Rather than inspecting each
 * image beforehand (one more container, a full rootfs copy on the vfs driver), a POSIX `sh`
 * prelude picks bash when the image has it and falls back to sh. The choice depends only on the
 * image's content, which the parent key already covers, so keys stay deterministic.
 *
 * stderr is joined to stdout first, as OBuilder does (one pipe for both): Docker copies the two
 * streams independently, so kept apart they arrive out of order, and a partial line on one would
 * run into a line of the other. Joined, the log reads as a terminal would show it.
 */
export const SHELL_PRELUDE =
  'exec 2>&1; if command -v bash >/dev/null 2>&1; then exec bash -c "$1"; else exec /bin/sh -c "$1"; fi';

/** The container's entrypoint for a run step ("$0" is a name for error messages, "$1" the script). */
export const shellEntrypoint = (script: string): string[] => ['/bin/sh', '-c', SHELL_PRELUDE, 'cid-run', script];
