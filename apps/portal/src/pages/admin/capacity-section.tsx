import type { AdminCapacity } from '@trialhub/contracts';
import { api } from '../../api/endpoints';
import { EmptyState, Notice } from '../../components/feedback';
import { Button } from '../../components/form';
import { useResource } from '../../hooks/use-resource';
import { Link } from '../../router';
import { Loaded, useAutoRefresh } from './admin-ui';

/** Capacity: slots in use and free per profile, queues, waitlist, and the GPUs the cluster reports. */
export function CapacitySection() {
  const capacity = useResource(() => Promise.all([api.admin.capacity(), api.admin.waitlist.list()]).then(([c, w]) => ({ ...c, waiting: w.length })), []);
  useAutoRefresh(capacity, 15_000);
  return (
    <section className="card" aria-labelledby="capacity-title">
      <div className="section-head">
        <h2 id="capacity-title">Capacity</h2>
        <Button variant="ghost" onClick={() => void capacity.reload()}>
          Refresh
        </Button>
      </div>
      <Loaded resource={capacity} label="Loading capacity…">
        {(c) => <CapacityView capacity={c} />}
      </Loaded>
    </section>
  );
}

function CapacityView({ capacity }: { capacity: AdminCapacity & { waiting: number } }) {
  const { profiles, cluster } = capacity;
  const queued = profiles.reduce((n, p) => n + p.queued, 0);
  const running = profiles.reduce((n, p) => n + p.slotsUsed, 0);
  return (
    <>
      <dl className="metrics">
        <div className="metric">
          <dt>Sessions holding a slot</dt>
          <dd>{running}</dd>
        </div>
        <div className="metric">
          <dt>Sessions queued</dt>
          <dd>{queued}</dd>
        </div>
        <div className="metric">
          <dt>People on the waitlist</dt>
          <dd>
            <Link to="/admin/waitlist">{capacity.waiting}</Link>
          </dd>
        </div>
        <div className="metric">
          <dt>Cluster GPUs in use</dt>
          <dd>{cluster.nodes.length ? `${cluster.gpusUsed} / ${cluster.gpus}` : 'None reported'}</dd>
        </div>
      </dl>

      <h3>Slots per profile</h3>
      {profiles.length === 0 ? (
        <EmptyState title="No profiles" />
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Slots in use, free and queued sessions per profile</caption>
            <thead>
              <tr>
                <th scope="col">Profile</th>
                <th scope="col">Slots</th>
                <th scope="col">In use</th>
                <th scope="col">Free</th>
                <th scope="col">Queued</th>
                <th scope="col">Usage</th>
              </tr>
            </thead>
            <tbody>
              {profiles.map((p) => (
                <tr key={p.name}>
                  <th scope="row">
                    {p.displayName}
                    <span className="cell-sub">
                      <code>{p.name}</code>
                      {!p.enabled && <span className="badge badge-stopped">Disabled</span>}
                    </span>
                  </th>
                  <td>{p.slots}</td>
                  <td>{p.slotsUsed}</td>
                  <td>{p.slotsFree}</td>
                  <td>{p.queued}</td>
                  <td>
                    <UsageBar used={p.slotsUsed} total={p.slots} label={`${p.displayName}: ${p.slotsUsed} of ${p.slots} slots in use`} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h3>Cluster ({capacity.runtime === 'kubernetes' ? 'Kubernetes' : 'local runtime'})</h3>
      {cluster.error && (
        <Notice tone="warning">
          <p>{cluster.error}</p>
        </Notice>
      )}
      {cluster.nodes.length === 0 ? (
        <EmptyState title="No nodes reported">
          <p>{capacity.runtime === 'local' ? 'The local runtime runs sessions as processes on this machine; it reports no cluster nodes or GPUs.' : 'The cluster reports no nodes that can run sessions.'}</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Cluster nodes and their GPUs</caption>
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">Architecture</th>
                <th scope="col">GPUs</th>
                <th scope="col">GPUs in use</th>
                <th scope="col">Ready</th>
              </tr>
            </thead>
            <tbody>
              {cluster.nodes.map((n) => (
                <tr key={n.name}>
                  <th scope="row">{n.name}</th>
                  <td>{n.arch ?? '—'}</td>
                  <td>{n.gpus}</td>
                  <td>{n.gpusUsed}</td>
                  <td>{n.ready ? <span className="badge badge-ready">Ready</span> : <span className="badge badge-failed">Not ready</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** A horizontal bar (decoration: the numbers are in the table), with a text alternative. */
function UsageBar({ used, total, label }: { used: number; total: number; label: string }) {
  const share = total > 0 ? Math.min(1, used / total) : used > 0 ? 1 : 0;
  return (
    <span className={`usage-bar${share >= 1 ? ' usage-full' : ''}`} role="img" aria-label={label}>
      <span style={{ width: `${Math.round(share * 100)}%` }} />
    </span>
  );
}
