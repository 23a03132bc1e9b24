import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { getToken, onUnauthorised, request, setToken } from '../api/client.ts';
import type { LoginResponse, User } from '../api/types.ts';

/** The signed-in user, restored on load from the session cookie or the kept token. */
interface AuthValue {
  user: User | null;
  loading: boolean;
  signIn: (email: string, password: string) => Promise<User>;
  signOut: () => Promise<void>;
  updateUser: (u: User) => void;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let live = true;
    // Sign-in keeps a token; without one there is no session to restore (and no 401 to log).
    if (!getToken()) {
      setLoading(false);
      return;
    }
    request<User>('/api/v1/auth/me', { quiet401: true })
      .then((r) => live && setUser(r.data))
      .catch(() => {
        if (live) setUser(null);
        if (getToken()) setToken(null);
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, []);

  useEffect(
    () =>
      onUnauthorised(() => {
        setToken(null);
        setUser(null);
      }),
    [],
  );

  const signIn = useCallback(async (email: string, password: string) => {
    const r = await request<LoginResponse>('/api/v1/auth/login', {
      method: 'POST',
      body: { email, password },
      quiet401: true,
    });
    setToken(r.data.token);
    setUser(r.data.user);
    return r.data.user;
  }, []);

  const signOut = useCallback(async () => {
    try {
      await request('/api/v1/auth/logout', { method: 'POST', quiet401: true });
    } catch {
      // signing out locally is what matters; the token is dropped below either way
    }
    setToken(null);
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
