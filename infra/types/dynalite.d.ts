// dynalite ships no types; this is the part of its API cid uses.
declare module 'dynalite' {
  import type { Server } from 'node:http';
  interface DynaliteOptions {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  }
  function dynalite(opts?: DynaliteOptions): Server;
  export default dynalite;
}
