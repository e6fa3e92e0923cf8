/**
 * The metric names a PromQL expression reads, by a small tokenizer rather than a parser: every
 * identifier outside strings, label matchers `{...}`, ranges `[...]`, grouping lists (`by (...)`,
 * `on (...)`, ...) and Grafana variables (`$provider`, `${x}`, `$__rate_interval`) that is neither a
 * function (followed by `(`), an aggregation nor a keyword. Enough for the rules and the dashboard in
 * deploy/; a selector by `{__name__="..."}` alone is not seen.
 */

const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set([
  ...GROUPING,
  'and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan',
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
]);

const IDENT_START = /[A-Za-z_:]/;
const IDENT = /[A-Za-z0-9_:]/;

/** Index just past the string literal opening at `i` (", ' or `; the first two with \ escapes). */
function skipString(s: string, i: number): number {
  const quote = s[i];
  let j = i + 1;
  while (j < s.length && s[j] !== quote) j += quote !== '`' && s[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** Index just past the bracket that closes the one opening at `i`, skipping strings inside. */
function skipBracket(s: string, i: number, open: string, close: string): number {
  let depth = 0;
  let j = i;
  while (j < s.length) {
    const c = s[j];
    if (c === '"' || c === "'" || c === '`') {
      j = skipString(s, j);
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
    j++;
  }
  throw new Error(`unclosed ${open} at ${i} in: ${s}`);
}

/** The distinct metric names in `expr`, in order of first appearance. */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] ?? '';
    if (c === '"' || c === "'" || c === '`') i = skipString(expr, i);
    else if (c === '#') i = expr.includes('\n', i) ? expr.indexOf('\n', i) : expr.length;
    else if (c === '{') i = skipBracket(expr, i, '{', '}');
    else if (c === '[') i = skipBracket(expr, i, '[', ']');
    else if (c === '$') {
      // $name, $__rate_interval, ${name} or ${name:format}: Grafana's, not a metric.
      i = expr[i + 1] === '{' ? skipBracket(expr, i + 1, '{', '}') : i + 1;
      while (i < expr.length && IDENT.test(expr[i] ?? '')) i++;
    } else if (/[0-9.]/.test(c)) {
      // Numbers and durations: 0.99, 1e3, 0x1f, 5m, 1h30m.
      while (i < expr.length && /[0-9A-Za-z_.]/.test(expr[i] ?? '')) i++;
    } else if (IDENT_START.test(c)) {
      const start = i;
      while (i < expr.length && IDENT.test(expr[i] ?? '')) i++;
      const word = expr.slice(start, i);
      let next = i;
      while (next < expr.length && /\s/.test(expr[next] ?? '')) next++;
      const lower = word.toLowerCase();
      if (GROUPING.has(lower) && expr[next] === '(') i = skipBracket(expr, next, '(', ')');
      else if (expr[next] === '(' || KEYWORDS.has(lower)) continue;
      else names.add(word);
    } else i++;
  }
  return [...names];
}

export interface LabelValue {
  metric: string;
  label: string;
  value: string;
}

/**
 * The label values that `metric{...}` selectors of `expr` name: each `label="v"` and `label!="v"`,
 * and each alternative of `label=~"a|b"` or `label!~"a|b"` when the regex is only such a list.
 * Values holding a Grafana variable (`$provider`) or other regex syntax are left out.
 */
export function labelValues(expr: string): LabelValue[] {
  const out: LabelValue[] = [];
  for (const selector of expr.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\s*\{/g)) {
    const metric = selector[1] ?? '';
    const open = selector.index + selector[0].length - 1;
    const matchers = expr.slice(open + 1, skipBracket(expr, open, '{', '}') - 1);
    for (const m of matchers.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)) {
      const [, label = '', op = '', value = ''] = m;
      const alternatives = op.endsWith('~') ? value.split('|') : [value];
      if (alternatives.every((v) => /^[A-Za-z0-9_-]+$/.test(v))) for (const v of alternatives) out.push({ metric, label, value: v });
    }
  }
  return out;
}
