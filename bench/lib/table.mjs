// Markdown tables and number formatting.

/** A markdown table: `header` is a list of column titles, `rows` a list of lists of cells. */
export function markdownTable(header, rows, align) {
  const cells = [header, ...rows].map((r) => r.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(3, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r) =>
    `| ${r.map((c, i) => pad(c ?? '', widths[i], align?.[i] ?? 'left')).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (align?.[i] === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n');
}

function pad(s, width, align) {
  return align === 'right' ? s.padStart(width) : s.padEnd(width);
}

/** 123456.7 -> "123,457" */
export function fmtInt(n) {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
}

/** Fixed decimals, "n/a" for NaN. */
export function fmt(n, digits = 2) {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/** 0.0312 -> "3.1%" */
export function fmtPct(n, digits = 1) {
  return Number.isFinite(n) ? `${(n * 100).toFixed(digits)}%` : 'n/a';
}
