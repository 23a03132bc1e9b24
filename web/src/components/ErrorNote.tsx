import { ApiError } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';

/** A failed load explained in the reader's language, with a way to try again. */
export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  let text: string;
  if (error instanceof ApiError) {
    if (error.status === 0) text = t('error.network');
    else if (error.status === 404) text = t('error.notFound');
    else if (error.status === 403) text = t('error.forbidden');
    else text = error.message || t('error.unexpected');
  } else text = t('error.unexpected');
  return (
    <div className="error-note" role="alert">
      <p>{text}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('action.retry')}
        </button>
      )}
    </div>
  );
}
