/**
 * An error caused by the user's input (arguments, data, model), with a message a person can
 * act on. The CLI prints it without a stack trace and exits with status 2.
 */
export class TrainerInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainerInputError';
  }
}
