import type { ComponentType } from 'react';
import { ADMIN_SECTIONS, AdminLayout, AdminSectionId } from './admin/admin-layout';
import { AuditSection } from './admin/audit-section';
import { CapacitySection } from './admin/capacity-section';
import { QuotasSection } from './admin/quotas-section';
import { SessionsSection } from './admin/sessions-section';
import { UsageSection } from './admin/usage-section';
import { UserDetail } from './admin/user-detail';
import { UsersSection } from './admin/users-section';
import { WaitlistSection } from './admin/waitlist-section';

const SECTIONS: Record<AdminSectionId, ComponentType> = {
  quotas: QuotasSection,
  capacity: CapacitySection,
  waitlist: WaitlistSection,
  users: UsersSection,
  sessions: SessionsSection,
  usage: UsageSection,
  audit: AuditSection,
};

/**
 * The admin console (role admin): `/admin` (quotas & profiles), `/admin/<section>`, and
 * `/admin/users/<id>` for one user. Each section is its own file under pages/admin/.
 */
export function AdminPage({ section = 'quotas', userId }: { section?: string; userId?: string }) {
  if (userId) {
    return (
      <AdminLayout section="users">
        <UserDetail userId={userId} />
      </AdminLayout>
    );
  }
  const known = ADMIN_SECTIONS.find((s) => s.id === section);
  const Section = known ? SECTIONS[known.id] : null;
  return (
    <AdminLayout section={known?.id ?? null}>
      {Section ? (
        <Section />
      ) : (
        <section className="card">
          <h2>No such admin section</h2>
          <p>There is no “{section}” section. Choose one above.</p>
        </section>
      )}
    </AdminLayout>
  );
}
