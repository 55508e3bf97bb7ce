/** Chaoxing accounts are phone numbers: `+86 138-0013-8000` and `13800138000` are one account. */
export function normalisePhone(phone: string): string {
  const p = phone.replace(/[\s-]/g, "");
  return /^(\+?86)1\d{10}$/.test(p) ? p.slice(-11) : p.toLowerCase();
}
