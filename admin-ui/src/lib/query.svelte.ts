import { RequestError } from './graphql/client';

export function messageOf(error: unknown): string {
  if (error instanceof RequestError || error instanceof Error) return error.message;
  return String(error);
}

/**
 * A read the page shows: its data, its error and whether it is loading. `run` again (after a
 * filter change, a live event, a reconnection) abandons the previous request.
 */
export class Query<Result> {
  data = $state<Result | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  private controller: AbortController | null = null;

  constructor(private readonly fetcher: (signal: AbortSignal) => Promise<Result>) {}

  async run(): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.loading = true;
    try {
      const data = await this.fetcher(controller.signal);
      if (controller.signal.aborted) return;
      this.data = data;
      this.error = null;
    } catch (error) {
      if (!controller.signal.aborted) this.error = messageOf(error);
    } finally {
      if (this.controller === controller) this.loading = false;
    }
  }

  abort(): void {
    this.controller?.abort();
  }
}
