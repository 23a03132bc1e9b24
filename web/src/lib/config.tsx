import { createContext, type ReactNode, useContext, useEffect, useState } from 'react';
import { get } from '../api/client.ts';
import type { ServerConfig } from '../api/types.ts';

/** Server settings every page may need (basemap URL, version); public, fetched once. */
const ConfigContext = createContext<ServerConfig | null>(null);

export function ConfigProvider({ children }: { children: ReactNode }) {
  const [config, setConfig] = useState<ServerConfig | null>(null);
  useEffect(() => {
    get<ServerConfig>('/api/v1/config')
      .then(setConfig)
      .catch(() =>
        setConfig({
          basemap: { url: null, type: null, attribution: null },
          locales: ['en', 'ru', 'ar'],
          version: '',
        }),
      );
  }, []);
  return <ConfigContext.Provider value={config}>{children}</ConfigContext.Provider>;
}

export function useConfig(): ServerConfig | null {
  return useContext(ConfigContext);
}
