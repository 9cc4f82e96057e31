// Addresses of the inventory pages, built where a page links to them.

/** The page of a level's ledger rows. */
export function historyHref(level: { location: { id: string }; sku: { code: string } }): string {
  const query = new URLSearchParams({ location: level.location.id, sku: level.sku.code });
  return `/inventory/history?${query}`;
}
