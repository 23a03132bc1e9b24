import { useI18n } from '../i18n/index.tsx';

/** `<option>`s for the values of a code list, labelled in the user's language (`vocab.<value>`). */
export function VocabOptions({ values }: { values: readonly string[] | undefined }) {
  const { tk } = useI18n();
  return (
    <>
      {(values ?? []).map((v) => (
        <option key={v} value={v}>
          {tk(`vocab.${v}`, v)}
        </option>
      ))}
    </>
  );
}
