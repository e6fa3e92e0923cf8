import type { WithdrawalRecord } from '../../withdrawals/types.ts';
import { esc, formatAge, formatMsat, page } from './html.ts';

function field(name: string, value: string): string {
  return `<tr><th>${esc(name)}</th><td>${value}</td></tr>`;
}

const code = (v: string | null) => (v === null ? '<span class="muted">none</span>' : `<code>${esc(v)}</code>`);
const json = (v: unknown) => `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;

function nextStep(r: WithdrawalRecord): string {
  if (r.status === 'needs_review') {
    return `<p><strong>Needs an operator.</strong> Check the provider's own records for this payment, then
<code>POST /v1/withdrawals/${esc(r.id)}/resolve</code> with <code>{"outcome": "succeeded" | "failed" | "resubmit", "note": "why"}</code>.</p>`;
  }
  if (r.status === 'unknown') return '<p><strong>Outcome unknown:</strong> being reconciled with the provider; no action needed yet.</p>';
  return '';
}

/** One withdrawal: its fields, failure evidence and full history, every value escaped. */
export function renderDetail(r: WithdrawalRecord, nowMs: number): string {
  const failure = r.failure
    ? `<h2>Failure evidence</h2><table>${field('code', code(r.failure.code))}${field('message', esc(r.failure.message))}</table>
${r.failure.provider === undefined ? '' : `<h3>Provider answer</h3>${json(r.failure.provider)}`}`
    : '';
  const history = r.history
    .map(
      (h) => `<tr><td>${esc(h.at)}</td><td>${esc(h.status)}</td><td>${esc(h.cause ?? '')}</td><td>${esc(h.actor ?? '')}</td><td>${esc(h.note ?? '')}</td></tr>`,
    )
    .join('\n');
  const body = `<h1>Withdrawal <code>${esc(r.id)}</code>: ${esc(r.status)}</h1>
${nextStep(r)}
<table>
${field('provider', esc(r.provider))}
${field('status', esc(r.status))}
${field('amount', `${esc(formatMsat(r.amountMsat))} <span class="muted">(${esc(r.amountMsat ?? '')} msat)</span>`)}
${field('fee', esc(formatMsat(r.feeMsat)))}
${field('attempts', esc(r.attempts))}
${field('age', `${esc(formatAge(r.createdAt, nowMs))} <span class="muted">(accepted ${esc(r.createdAt)}, updated ${esc(r.updatedAt)})</span>`)}
${field('batch', code(r.batchId))}
${field('provider reference', code(r.providerRef))}
${field('payment hash', code(r.paymentHash))}
${r.lightningAddress ? field('Lightning Address', code(r.lightningAddress)) : ''}
${field(r.address ? 'address' : 'invoice', code(r.address ?? r.invoice))}
${field('description', esc(r.description ?? ''))}
${field('metadata', r.metadata ? json(r.metadata) : '')}
</table>
${failure}
<h2>History</h2>
<table><thead><tr><th>at</th><th>status</th><th>cause</th><th>actor</th><th>note</th></tr></thead><tbody>
${history}
</tbody></table>`;
  return page(`Withdrawal ${r.id}`, body);
}
