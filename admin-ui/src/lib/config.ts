/** The API this build talks to: VITE_OMS_API_URL when building, else the local `make run` API. */
export const API_URL = (import.meta.env.VITE_OMS_API_URL ?? 'http://127.0.0.1:8000').replace(/\/$/, '');

/** The catalogue's currency (SKUs are priced in EUR unless set otherwise): typed costs are in it. */
export const SHOP_CURRENCY = 'EUR';

export const GRAPHQL_URL = `${API_URL}/graphql`;

export const GRAPHQL_WS_URL = GRAPHQL_URL.replace(/^http/, 'ws');
