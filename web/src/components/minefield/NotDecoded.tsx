import { useI18n } from '../../i18n/index.tsx';
import type { NotDecoded } from './types.ts';
import { readingWords } from './words.ts';

/**
 * The readings that could not be decoded, summarised once per problem with a count; each
 * reading and its full message on demand.
 */
export function NotDecodedList({ items }: { items: NotDecoded[] }) {
  const { t, tk, num } = useI18n();
  if (items.length === 0) return null;
  const groups = new Map<string, NotDecoded[]>();
  for (const n of items) groups.set(n.problem.code, [...(groups.get(n.problem.code) ?? []), n]);
  return (
    <div className="not-decoded" data-testid="not-decoded">
      <p>{t('minefield.notDecoded.summary', { count: items.length })}</p>
      {[...groups].map(([code, group]) => (
        <details key={code} className="problem-group" data-testid="problem-group">
          <summary>
            {tk(`minefield.problem.${code}`, code)} <span className="count">{num(group.length)}</span>
          </summary>
          <ul className="field-problems">
            {group.map((n) => (
              <li key={n.id}>
                <strong>{readingWords(t, num, n.reading, n.stated)}</strong>: {n.message}
              </li>
            ))}
          </ul>
        </details>
      ))}
    </div>
  );
}
