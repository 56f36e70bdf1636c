/** A command inside or about a network namespace failed: the command and its first error line. */
export class NamespaceError extends Error {}
