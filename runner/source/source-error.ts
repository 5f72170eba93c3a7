/** The job's source could not be had: shown as an infrastructure error, with the reason. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
}
