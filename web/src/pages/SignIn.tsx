import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { LanguageSelect } from '../components/LanguageSelect.tsx';
import { useI18n } from '../i18n/index.tsx';
import { useAuth } from '../lib/auth.tsx';
import { useRouter } from '../lib/router.tsx';

export function SignIn() {
  const { t } = useI18n();
  const { signIn } = useAuth();
  const { search, navigate } = useRouter();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
      const next = search.get('next');
      navigate(next?.startsWith('/') && !next.startsWith('/signin') ? next : '/', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t('auth.invalidCredentials'));
      else if (err instanceof ApiError && err.status === 0) setError(t('error.network'));
      else setError(err instanceof ApiError ? err.message : t('error.unexpected'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="signin-page">
      <div className="signin-lang">
        <LanguageSelect />
      </div>
      <form className="signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">{t('app.name')}</h1>
        <p className="muted">{t('auth.tagline')}</p>
        <label>
          {t('auth.email')}
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          {t('auth.password')}
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('auth.signingIn') : t('auth.signIn')}
        </button>
      </form>
    </div>
  );
}
