/** Who is asking, as the pages and routes see it. */
import type { UserRole } from '@chorus/db';

export interface Who {
  name: string;
  role: UserRole;
}

/** With sign-in off, anyone who reaches the UI may use it all; pages say so. */
export type Access = { signIn: 'off' } | { signIn: 'required'; who: Who; via: 'session' | 'token' };

export const OPEN: Access = { signIn: 'off' };

export const canWrite = (a: Access) => a.signIn === 'off' || a.who.role === 'operator';
