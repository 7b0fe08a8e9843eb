declare module 'fxa-common-password-list' {
  /** Mozilla's list of 50,000 common passwords (MPL-2.0); `test` is true when the password is on it. */
  const commonPasswords: { test(password: string): boolean };
  export default commonPasswords;
}
