import { useI18n } from '../i18n/index.tsx';

/**
 * A page a role may not use, reached by its address (no link leads there): its title and the line
 * saying so, as the server would refuse what the page does.
 */
export function ForbiddenPage({ title, className }: { title: string; className?: string }) {
  const { t } = useI18n();
  return (
    <div className={className ? `page ${className}` : 'page'}>
      <h1>{title}</h1>
      <p className="page-status" data-testid="page-forbidden">
        {t('error.forbidden')}
      </p>
    </div>
  );
}
