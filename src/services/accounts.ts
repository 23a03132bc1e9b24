import type { Database } from '../db/connect.ts';
import { listTokens } from '../db/repositories/sessions.ts';
import { listUsers, setUserLocale, userById } from '../db/repositories/users.ts';
import { Problem } from '../domain/problem.ts';
import { ROLES } from '../domain/vocabularies.ts';
import { LOCALES } from '../i18n/catalogue.ts';
import { type Actor, assertCan } from './actor.ts';
import {
  changeUser,
  createApiToken,
  createUser,
  forgetSessions,
  publicUser,
  revokeApiToken,
} from './auth.ts';
import { isUuid } from './list-query.ts';

/**
 * The signed-in user's own account (preferences, API tokens) and user administration, each
 * with its permission check: `token.manage_own` for one's tokens, `user.manage` for users.
 */
export class AccountService {
  constructor(private readonly database: Database) {}

  async me(actor: Actor) {
    const user = actor.id ? await userById(this.database.db, actor.id) : undefined;
    if (!user) throw new Problem('auth.required', {}, { pointer: '' });
    return publicUser(user);
  }

  async setLocale(actor: Actor, locale: string) {
    if (!(LOCALES as readonly string[]).includes(locale)) {
      throw new Problem(
        'validation.enum',
        { field: 'locale', value: locale, allowed: LOCALES.join(', ') },
        { pointer: '/locale' },
      );
    }
    await setUserLocale(this.database.db, actor.id!, locale);
    forgetSessions();
    return this.me(actor);
  }

  async tokens(actor: Actor) {
    assertCan(actor, 'token.manage_own');
    return listTokens(this.database.db, actor.id!);
  }

  /** A new API token; the secret is in this answer only. */
  async createToken(actor: Actor, name: string, expiresInDays?: number) {
    assertCan(actor, 'token.manage_own');
    const days = expiresInDays && expiresInDays > 0 ? Math.min(expiresInDays, 3650) : null;
    return createApiToken(this.database, actor.id!, name, days);
  }

  async revokeToken(actor: Actor, id: string) {
    assertCan(actor, 'token.manage_own');
    await revokeApiToken(this.database, actor.id!, id);
  }

  async users(actor: Actor) {
    assertCan(actor, 'user.manage');
    return listUsers(this.database.db);
  }

  async createUser(
    actor: Actor,
    input: { email: string; password: string; role: string; name?: string; organisationId?: string | null },
  ) {
    assertCan(actor, 'user.manage');
    return publicUser(await createUser(this.database, input, actor.id));
  }

  /** Disables or enables a user, or changes their role; disabling ends their sessions. */
  async changeUser(actor: Actor, id: string, change: { disabled?: boolean; role?: string }) {
    assertCan(actor, 'user.manage');
    const user = isUuid(id) ? await userById(this.database.db, id) : undefined;
    if (!user) throw new Problem('record.not_found', { entity: 'user', id }, { pointer: '' });
    if (change.role !== undefined && !(ROLES as readonly string[]).includes(change.role)) {
      throw new Problem(
        'validation.enum',
        { field: 'role', value: change.role, allowed: ROLES.join(', ') },
        { pointer: '/role' },
      );
    }
    await changeUser(this.database, actor.id, id, change);
    return publicUser((await userById(this.database.db, id))!);
  }
}
