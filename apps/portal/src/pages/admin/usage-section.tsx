import type { AdminUsageDay } from '@trialhub/contracts';
import { useState } from 'react';
import { api } from '../../api/endpoints';
import { EmptyState } from '../../components/feedback';
import { useResource } from '../../hooks/use-resource';
import { Loaded } from './admin-ui';
import { BarChart } from './bar-chart';

const PERIODS = [7, 30, 90];
const hours = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1));

/** Usage per day: trials started, sessions launched and GPU-hours, per profile; with a CSV export. */
export function UsageSection() {
  const [days, setDays] = useState(30);
  const usage = useResource(() => api.admin.usage.get(days), [days]);
  return (
    <section className="card" aria-labelledby="usage-title">
      <div className="section-head">
        <h2 id="usage-title">Usage</h2>
        <div className="inline-form">
          <div className="field">
            <label htmlFor="usage-days">Period</label>
            <select id="usage-days" value={days} onChange={(e) => setDays(Number(e.target.value))}>
              {PERIODS.map((d) => (
                <option key={d} value={d}>
                  Last {d} days
                </option>
              ))}
            </select>
          </div>
          <a className="btn btn-secondary" href={api.admin.usage.csvUrl(days)} download={`trialhub-usage-${days}d.csv`}>
            Download CSV
          </a>
        </div>
      </div>
      <Loaded resource={usage} label="Loading usage…">
        {(list) => (list.length === 0 ? <EmptyState title="No usage recorded" /> : <UsageView days={list} />)}
      </Loaded>
    </section>
  );
}

function UsageView({ days }: { days: AdminUsageDay[] }) {
  const profiles = [...new Set(days.flatMap((d) => Object.keys(d.profiles)))].sort();
  const sum = (pick: (d: AdminUsageDay) => number) => days.reduce((n, d) => n + pick(d), 0);
  const label = (d: AdminUsageDay) => d.day;
  return (
    <>
      <dl className="metrics">
        <div className="metric">
          <dt>Trials started</dt>
          <dd>{sum((d) => d.trialsStarted)}</dd>
        </div>
        <div className="metric">
          <dt>Sessions launched</dt>
          <dd>{sum((d) => d.sessions)}</dd>
        </div>
        <div className="metric">
          <dt>GPU-hours</dt>
          <dd>{hours(Math.round(sum((d) => d.gpuHours) * 100) / 100)}</dd>
        </div>
      </dl>
      <div className="charts">
        <BarChart title="Sessions launched per day" yLabel="sessions" bars={days.map((d) => ({ label: label(d), value: d.sessions }))} />
        <BarChart title="GPU-hours per day" yLabel="GPU-hours" color="#067647" format={hours} bars={days.map((d) => ({ label: label(d), value: d.gpuHours }))} />
      </div>
      <div className="table-wrap">
        <table className="numeric">
          <caption>Usage per day, newest first</caption>
          <thead>
            <tr>
              <th scope="col" rowSpan={2}>
                Day
              </th>
              <th scope="col" rowSpan={2}>
                Trials started
              </th>
              <th scope="col" rowSpan={2}>
                Sessions
              </th>
              <th scope="col" rowSpan={2}>
                GPU-hours
              </th>
              {profiles.map((p) => (
                <th scope="colgroup" colSpan={2} key={p}>
                  {p}
                </th>
              ))}
            </tr>
            <tr>
              {profiles.flatMap((p) => [
                <th scope="col" key={`${p}-s`}>
                  <span className="visually-hidden">{p} </span>sessions
                </th>,
                <th scope="col" key={`${p}-g`}>
                  <span className="visually-hidden">{p} </span>GPU-h
                </th>,
              ])}
            </tr>
          </thead>
          <tbody>
            {[...days].reverse().map((d) => (
              <tr key={d.day}>
                <th scope="row">{d.day}</th>
                <td>{d.trialsStarted}</td>
                <td>{d.sessions}</td>
                <td>{hours(d.gpuHours)}</td>
                {profiles.flatMap((p) => [<td key={`${p}-s`}>{d.profiles[p]?.sessions ?? 0}</td>, <td key={`${p}-g`}>{hours(d.profiles[p]?.gpuHours ?? 0)}</td>])}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
