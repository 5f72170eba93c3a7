// opam files: parsing, field access, versions, filters and package formulas.
export type {
  AtomValue,
  EnvOp,
  FieldItem,
  Item,
  Location,
  LogOp,
  OpamFile,
  OpamParseWarning,
  PrefixOp,
  RelOp,
  SectionItem,
  Value,
} from './ast.ts';
export { OpamFieldError, OpamParseError } from './errors.ts';
export { parseOpamFile, parseOpamValue } from './parser.ts';
export type { ParseOptions } from './parser.ts';
export { formatOpamFile, formatValue } from './format-value.ts';
export type { FormatOptions } from './format-value.ts';

export {
  FIELD_READERS,
  field,
  fieldItem,
  fieldNames,
  readCommands,
  readDepexts,
  readEnvUpdates,
  readExtraFiles,
  readField,
  readFilterField,
  readIdentList,
  readPinDepends,
  readString,
  readStringList,
  readUrl,
  section,
  sectionField,
  sections,
} from './fields.ts';
export type {
  Command,
  CommandArg,
  Depext,
  EnvUpdate,
  ExtraFile,
  FieldType,
  KnownField,
  PinDepend,
  UrlSection,
} from './fields.ts';
export { summarizePackage } from './package-summary.ts';
export type { PackageSummary, SummarizeOptions } from './package-summary.ts';
export { formatPackageId, packageIdFromPath, parsePackageId } from './package-id.ts';
export type { PackageId } from './package-id.ts';

export { checkRelOp, compareVersions, negateRelOp, versionSatisfies } from './version-compare.ts';

export {
  VariableRecordSchema,
  chainEnv,
  envFromRecord,
  formatFilterIdent,
  identVariableNames,
  parseFilterIdent,
  parseInterpolationIdent,
  resolveIdent,
} from './variables.ts';
export type { FilterIdent, VariableEnv, VariableRecord, VariableValue } from './variables.ts';
export { expandString, interpolatedVariables, scanInterpolations } from './interpolation.ts';
export type { ExpandOptions, Interpolation, InterpolationScan } from './interpolation.ts';
export {
  evalFilter,
  evalFilterBool,
  filterVariables,
  formatFilter,
  valueToFilter,
  valuesToFilter,
} from './filter.ts';
export type { ConvertContext, Filter, FilterValue } from './filter.ts';
export { evalCommands } from './commands.ts';

export {
  EMPTY,
  and,
  ands,
  atom,
  evalFormula,
  formatFormula,
  formulaAtoms,
  mapFormula,
  or,
  ors,
  partialEval,
} from './formula.ts';
export type { Formula, PartialResult } from './formula.ts';
export {
  filterPackageFormula,
  formatConstraintFormula,
  formatPackageFormula,
  formatResolvedFormula,
  formatVersionConstraint,
  formulaVariables,
  isFormulaSatisfied,
  isVersionAllowed,
  packageAtoms,
  resolveConstraint,
  valueToPackageFormula,
  valuesToConstraint,
  versionMatches,
} from './package-formula.ts';
export type {
  ConstraintAtom,
  FilterOptions,
  FormulaKind,
  PackageAtom,
  PackageFormula,
  ResolvedAtom,
  VersionConstraint,
  VersionOperand,
} from './package-formula.ts';
