import type { ReactNode } from 'react';
import { Link } from '../../router';

export const ADMIN_SECTIONS = [
  { id: 'quotas', path: '/admin', label: 'Quotas & profiles' },
  { id: 'capacity', path: '/admin/capacity', label: 'Capacity' },
  { id: 'waitlist', path: '/admin/waitlist', label: 'Waitlist' },
  { id: 'users', path: '/admin/users', label: 'Users' },
  { id: 'sessions', path: '/admin/sessions', label: 'Sessions' },
  { id: 'usage', path: '/admin/usage', label: 'Usage' },
  { id: 'audit', path: '/admin/audit', label: 'Audit log' },
] as const;

export type AdminSectionId = (typeof ADMIN_SECTIONS)[number]['id'];

/** The admin console's frame: its title and the sub-navigation between sections. */
export function AdminLayout({ section, children }: { section: AdminSectionId | null; children: ReactNode }) {
  return (
    <div className="stack admin">
      <header className="page-head">
        <h1>Administration</h1>
      </header>
      <nav className="subnav" aria-label="Admin sections">
        <ul>
          {ADMIN_SECTIONS.map((s) => (
            <li key={s.id}>
              <Link to={s.path} aria-current={s.id === section ? 'page' : undefined}>
                {s.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {children}
    </div>
  );
}
