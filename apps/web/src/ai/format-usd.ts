const cents = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const small = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumSignificantDigits: 2 });

/** "$4.20"; amounts under a cent keep two significant digits ("$0.00014"), so a test call is not "$0.00". */
export function formatUsd(amount: number): string {
  return amount > 0 && amount < 0.01 ? small.format(amount) : cents.format(amount);
}

const day = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
const longDay = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" });

/** "4 Dec" for a UTC day "2026-12-04" (the ledger's days are UTC). */
export function formatDay(isoDay: string): string {
  return day.format(new Date(`${isoDay}T00:00:00Z`));
}

/** "1 January 2027". */
export function formatLongDate(date: Date): string {
  return longDay.format(date);
}
