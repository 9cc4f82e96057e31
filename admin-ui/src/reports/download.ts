import { API_URL } from '../lib/config';
import { RequestError } from '../lib/graphql/client';
import { session } from '../lib/session.svelte';

/**
 * Saves a report's CSV as a file. The download carries the session's token, which a plain link
 * cannot, so the file is fetched and handed to the browser as a blob.
 */
export async function downloadReport(name: string, locationCode: string | null): Promise<void> {
  const url = new URL(`${API_URL}/reports/${name}.csv`);
  if (locationCode) url.searchParams.set('location', locationCode);
  const headers: Record<string, string> = session.token ? { authorization: `Bearer ${session.token}` } : {};
  let response: Response;
  try {
    response = await fetch(url, { headers });
  } catch {
    throw new RequestError('The server cannot be reached. Is the API running?', 'NETWORK');
  }
  if (!response.ok) throw new RequestError(`The report could not be made (${response.status}).`);
  const filename = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = filename ?? `${name}.csv`;
  link.click();
  URL.revokeObjectURL(link.href);
}
