export class SeriesSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeriesSyntaxError';
  }
}
