import { esc, formatAge, formatMsat, page, pathPart } from './html.ts';
import type { StatusSection } from './read.ts';

const ATTENTION = new Set(['awaiting_approval', 'unknown', 'needs_review']);

function row(r: StatusSection['rows'][number], nowMs: number, approvals: boolean): string {
  const amount = formatMsat(r.amountMsat);
  const approved = approvals ? `<td class="approved-by">${esc((r.approvedBy ?? []).join(', ') || 'nobody yet')}</td>` : '';
  return `<tr><td><a href="/admin/withdrawals/${esc(pathPart(r.id))}"><code>${esc(r.id)}</code></a></td>
<td>${esc(r.owner)}</td><td>${esc(r.provider)}</td><td class="num">${esc(amount)}</td><td class="num">${esc(formatAge(r.createdAt, nowMs))}</td>
<td class="num">${esc(formatAge(r.updatedAt, nowMs))}</td>${approved}<td>${esc(r.failure?.code ?? '')}</td><td>${esc(r.description ?? '')}</td></tr>`;
}

function section(s: StatusSection, nowMs: number): string {
  const approvals = s.status === 'awaiting_approval';
  const shown = s.rows.length < s.total ? ` (showing ${s.rows.length})` : '';
  const head = `<h2 id="${esc(s.status)}">${esc(s.status)}: ${s.total}${esc(shown)}</h2>`;
  if (s.rows.length === 0) return `<section class="${ATTENTION.has(s.status) ? 'attention' : ''}">${head}</section>`;
  return `<section class="${ATTENTION.has(s.status) ? 'attention' : ''}">${head}
<table><thead><tr><th>id</th><th>producer</th><th>provider</th><th>amount</th><th>age</th><th>in this status</th>${approvals ? '<th>approved by</th>' : ''}<th>failure</th><th>description</th></tr></thead>
<tbody>${s.rows.map((r) => row(r, nowMs, approvals)).join('\n')}</tbody></table></section>`;
}

/** The list page: awaiting_approval, unknown and needs_review first (they need a person), then the rest. */
export function renderList(sections: StatusSection[], nowMs: number): string {
  const summary = sections.map((s) => `<a href="#${esc(s.status)}">${esc(s.status)} ${s.total}</a>`).join(' · ');
  const body = `<h1>Withdrawals</h1>
<p class="muted">${summary}</p>
<p class="muted">Filters: <code>?status=needs_review</code>, <code>?provider=&lt;name&gt;</code>, <code>?limit=200</code>. Operator actions go through the API
(<code>POST /v1/withdrawals/:id/approve</code>, <code>/resolve</code>, <code>/cancel</code>) so each one is recorded with its token's name.</p>
${sections.map((s) => section(s, nowMs)).join('\n')}`;
  return page('Withdrawals', body);
}
