import type { AccountView } from '@trialhub/contracts';
import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiRequestError, messageOf, onUnauthorized } from './api/client';
import { api } from './api/endpoints';

interface AuthState {
  /** undefined while the first /me call runs; null when logged out. */
  user: AccountView | null | undefined;
  /** Set when /me failed for a reason other than "not logged in". */
  error: string | null;
  setUser(user: AccountView | null): void;
  refresh(): Promise<void>;
  logout(): Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<AccountView | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const me = await api.auth.me();
      setUser(me.user);
      setError(null);
    } catch (e) {
      if (e instanceof ApiRequestError && e.status === 401) {
        setUser(null);
        setError(null);
      } else {
        setUser(null);
        setError(messageOf(e));
      }
    }
  }, []);

  const logout = useCallback(async () => {
    await api.auth.logout().catch(() => undefined);
    setUser(null);
  }, []);

  useEffect(() => {
    void refresh();
    // Any API call that finds the log-in gone (expired, logged out elsewhere) logs the portal out.
    return onUnauthorized(() => setUser(null));
  }, [refresh]);

  const value = useMemo(() => ({ user, error, setUser, refresh, logout }), [user, error, refresh, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth needs an <AuthProvider>');
  return ctx;
}
