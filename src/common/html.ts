/** Text made safe for HTML, in an element or an attribute: the five characters that could end either. */
export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
