/** A config value the constructs cannot build, found after schema validation; `field` is its JSON Pointer in the config file. */
export class InvalidSetting extends Error {
  override readonly name = 'InvalidSetting';
  constructor(
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${field} ${message}`, options);
  }
}
