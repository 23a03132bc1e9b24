import { useState } from 'react';
import { FormField } from '../../components/FormField.tsx';
import { useI18n } from '../../i18n/index.tsx';
import type { IdentityChoice } from '../../lib/report-changes.ts';

/**
 * A casualty's protected identity (name, date of birth, address). It is write-only: what a saved
 * draft holds is never shown back. Left alone nothing is sent and the server keeps it; Replace
 * opens empty fields whose values are sent; Clear sends an explicit null after a confirmation.
 */
export function IdentitySection({
  id,
  saved,
  value,
  onChange,
}: {
  id: string;
  /** The casualty comes from a saved draft, which may hold an identity that is not shown. */
  saved: boolean;
  value: IdentityChoice;
  onChange: (v: IdentityChoice) => void;
}) {
  const { t } = useI18n();
  const [confirming, setConfirming] = useState(false);
  const editing = value !== null && value !== 'keep';
  const empty = { name: '', dateOfBirth: '', address: '' };
  return (
    <fieldset className="report-part identity" data-testid={`${id}-identity`}>
      <legend>{t('field.identity')}</legend>
      {saved && value === 'keep' && (
        <p data-testid="identity-hidden">
          <span className="muted">{t('reportKinds.identityHidden')}</span>{' '}
          <button type="button" onClick={() => onChange(empty)}>
            {t('reportKinds.identityReplace')}
          </button>{' '}
          {confirming ? (
            <span role="alert">
              {t('reportKinds.identityClearConfirm')}{' '}
              <button
                type="button"
                className="danger"
                onClick={() => {
                  setConfirming(false);
                  onChange(null);
                }}
              >
                {t('reportKinds.identityClear')}
              </button>{' '}
              <button type="button" onClick={() => setConfirming(false)}>
                {t('action.cancel')}
              </button>
            </span>
          ) : (
            <button type="button" onClick={() => setConfirming(true)}>
              {t('reportKinds.identityClear')}
            </button>
          )}
        </p>
      )}
      {value === null && (
        <p data-testid="identity-cleared">
          {t('reportKinds.identityCleared')}{' '}
          <button type="button" onClick={() => onChange('keep')}>
            {t('reportKinds.identityUndo')}
          </button>
        </p>
      )}
      {!saved && value === 'keep' && (
        <button type="button" onClick={() => onChange(empty)} data-testid="identity-enter">
          {t('reportKinds.identityEnter')}
        </button>
      )}
      {editing && (
        <div className="form-grid">
          <p className="hint form-field wide">{t('reportKinds.identityHint')}</p>
          <FormField id={`${id}-name`} label={t('field.name')}>
            <input
              id={`${id}-name`}
              type="text"
              autoComplete="off"
              maxLength={300}
              value={value.name}
              onChange={(e) => onChange({ ...value, name: e.target.value })}
            />
          </FormField>
          <FormField id={`${id}-dob`} label={t('reportKinds.dateOfBirth')}>
            <input
              id={`${id}-dob`}
              type="date"
              value={value.dateOfBirth}
              onChange={(e) => onChange({ ...value, dateOfBirth: e.target.value })}
            />
          </FormField>
          <FormField id={`${id}-address`} label={t('reportKinds.address')} wide>
            <input
              id={`${id}-address`}
              type="text"
              autoComplete="off"
              maxLength={1000}
              value={value.address}
              onChange={(e) => onChange({ ...value, address: e.target.value })}
            />
          </FormField>
          <p className="form-field wide">
            <button type="button" onClick={() => onChange('keep')}>
              {saved ? t('reportKinds.identityKeep') : t('action.cancel')}
            </button>
          </p>
        </div>
      )}
    </fieldset>
  );
}
