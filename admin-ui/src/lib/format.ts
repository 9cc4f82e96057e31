export interface MoneyValue {
  readonly amount: number;
  readonly currency: string;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string): Intl.NumberFormat {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    moneyFormats.set(currency, format);
  }
  return format;
}

/** Digits after the decimal point: amounts travel in minor units (cents: 2, yen: 0). */
export function fractionDigits(currency: string): number {
  return moneyFormat(currency).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Minor units (cents) as the currency shows them. */
export function money(value: MoneyValue | null | undefined): string {
  if (!value) return '—';
  return moneyFormat(value.currency).format(value.amount / 10 ** fractionDigits(value.currency));
}

/** An amount typed in major units (12.50) as minor units (1250). */
export function minorUnits(amount: number, currency: string): number {
  return Math.round(amount * 10 ** fractionDigits(currency));
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function dateTime(value: string | null | undefined): string {
  return value ? dateTimeFormat.format(new Date(value)) : '—';
}

export function date(value: string | null | undefined): string {
  return value ? dateFormat.format(new Date(value)) : '—';
}

export function percent(rate: number | null | undefined): string {
  return rate == null ? '—' : `${(rate * 100).toFixed(1)} %`;
}

export function number(value: number | null | undefined, digits = 0): string {
  return value == null ? '—' : value.toLocaleString(undefined, { maximumFractionDigits: digits });
}

/** SCREAMING_CASE enum values as words: PARTIALLY_SHIPPED → Partially shipped. */
export function label(value: string): string {
  const words = value.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
