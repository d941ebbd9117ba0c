/** The error answers of `mtl serve` (./server.ts, ./generate-request.ts). */

/** An answer that is not 200: its status, message, headers and other fields of its body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly body: Record<string, string> = {},
  ) {
    super(message);
  }
}
