/** Escaping text for HTML pages the package writes (the run report, explanations). */

/** `text` with & < > " ' as numeric character references: safe inside elements and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
