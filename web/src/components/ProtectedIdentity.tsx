import { useState } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { useCan } from '../lib/permissions.ts';
import { ErrorNote } from './ErrorNote.tsx';
import { FieldValue } from './FieldValue.tsx';

export type Identity = Record<string, unknown>;

/**
 * A casualty's protected identity, on its record's page or in a report: not read until a role
 * allowed to read it asks (each read is decrypted and recorded in the audit log by the server),
 * and said to be protected to every other role, never shown as empty. `load` reads it (null:
 * none recorded); `onRead` is told after each read.
 */
export function ProtectedIdentity({
  load,
  onRead,
  compact = false,
}: {
  load: () => Promise<Identity | null>;
  onRead?: () => void;
  /** In a table: the note that reads are recorded is the button's title, said once above the table. */
  compact?: boolean;
}) {
  const { t } = useI18n();
  const { can } = useCan();
  // undefined: not asked for; null: none recorded.
  const [identity, setIdentity] = useState<Identity | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  if (!can('identity.read')) return <span className="muted">{t('record.identityProtected')}</span>;
  if (identity === undefined)
    return (
      <>
        <button
          type="button"
          className="link-button"
          data-testid="identity-show"
          title={t('record.identityLogged')}
          onClick={async () => {
            setError(null);
            try {
              setIdentity(await load());
              onRead?.();
            } catch (err) {
              setError(err);
            }
          }}
        >
          {t('record.identityShow')}
        </button>
        {!compact && <span className="muted"> {t('record.identityLogged')}</span>}
        {error ? <ErrorNote error={error} /> : null}
      </>
    );
  const given = identity && Object.values(identity).some((v) => v !== null && v !== '');
  return (
    <div data-testid="identity-shown">
      {given ? (
        <FieldValue name="identity" value={identity} />
      ) : (
        <span className="muted">{t('record.identityNone')}</span>
      )}{' '}
      <button type="button" className="link-button" onClick={() => setIdentity(undefined)}>
        {t('record.identityHide')}
      </button>
    </div>
  );
}
