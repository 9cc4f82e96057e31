/// <reference types="svelte" />
/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Where the API listens (default http://127.0.0.1:8000); set when building. */
  readonly VITE_OMS_API_URL?: string;
}
