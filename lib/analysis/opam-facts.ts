// The few facts the analysis needs from an opam file. The opam parser (app/opam) supplies them;
// keeping this seam small lets the planner be tested with hand-made facts.

/** opam variables, e.g. { os: "linux", arch: "arm64", "ocaml:version": "5.4.1" }. */
export type OpamVars = Readonly<Record<string, string | boolean>>;

export interface OpamFacts {
  /** `opam-version:` as written; undefined when the field is absent. */
  opamVersion: string | undefined;
  /** `x-opam-monorepo-version:` (opam-monorepo lock files). */
  monorepoVersion: string | undefined;
  /** `pin-depends:` entries, "name.version" and URL. */
  pinDepends: ReadonlyArray<{ pkg: string; url: string }>;
  /**
   * Why the package cannot be installed where these variables hold (`available:` false, or
   * `depends:`/`conflicts:` rule out the OCaml release in `ocaml:version`); undefined if it can.
   */
  whyNotInstallable(vars: OpamVars): string | undefined;
  /** The version fixed by an `{= "v"}` constraint in `depends:` (lock files list every package so). */
  exactDependency(name: string): string | undefined;
}

/** Parses one opam file; throws AnalysisError (with file, line, column) on bad syntax. */
export type ReadOpam = (text: string, file: string) => OpamFacts;
