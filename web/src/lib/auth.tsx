import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { csrfToken, onUnauthorised, request } from '../api/client.ts';
import type { LoginResponse, User } from '../api/types.ts';

/**
 * The signed-in user, restored on load from the session cookie (HttpOnly: the page never sees
 * the session token; it keeps none of its own).
 */
interface AuthValue {
  user: User | null;
  loading: boolean;
  signIn: (email: string, password: string) => Promise<User>;
  signOut: () => Promise<void>;
  updateUser: (u: User) => void;
}

const AuthContext = createContext<AuthValue | null>(null);

/** Tokens older versions of the page kept in storage; removed so no bearer token lingers. */
const LEGACY_TOKEN_KEY = 'safeground.token';

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let live = true;
    try {
      localStorage.removeItem(LEGACY_TOKEN_KEY);
    } catch {
      // storage unavailable: nothing was kept there either
    }
    // The readable sg_csrf cookie comes and goes with the session cookie: without it there is no
    // session to restore, and asking would only put a 401 in the console.
    if (!csrfToken()) {
      setLoading(false);
      return;
    }
    request<User>('/api/v1/auth/me', { quiet401: true })
      .then((r) => live && setUser(r.data))
      .catch(() => live && setUser(null))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => onUnauthorised(() => setUser(null)), []);

  const signIn = useCallback(async (email: string, password: string) => {
    const r = await request<LoginResponse>('/api/v1/auth/login', {
      method: 'POST',
      body: { email, password },
      quiet401: true,
    });
    setUser(r.data.user);
    return r.data.user;
  }, []);

  const signOut = useCallback(async () => {
    try {
      await request('/api/v1/auth/logout', { method: 'POST', quiet401: true });
    } catch {
      // the session may already be gone; the page forgets the user either way
    }
    setUser(null);
  }, []);

  return (
    <AuthContext.Provider value={{ user, loading, signIn, signOut, updateUser: setUser }}>
      {children}
    </AuthContext.Provider>
  );
}

export function useAuth(): AuthValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
