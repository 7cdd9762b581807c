/** A user's word as messages repeat it: cut short when long, so one huge value cannot flood the terminal. */
export const clip = (s: string): string => (s.length > 120 ? `${s.slice(0, 100)}… (${s.length} characters)` : s);
