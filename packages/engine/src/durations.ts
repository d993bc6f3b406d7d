const DAY = 24 * 60 * 60 * 1000;
const DURATION =
  /^P(?!$)(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?=\d)(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

/**
 * Milliseconds of an ISO 8601 duration ("PT2S", "P1DT12H", "PT0.1S"), or undefined when it is not one.
 * Years and months have no fixed length; they count as 365 and 30 days.
 */
export function parseIsoDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const unit = [365 * DAY, 30 * DAY, 7 * DAY, DAY, 60 * 60 * 1000, 60 * 1000, 1000];
  let total = 0;
  for (let i = 0; i < unit.length; i++) {
    const part = match[i + 1];
    if (part !== undefined) total += Number.parseFloat(part.replace(",", ".")) * (unit[i] as number);
  }
  return Math.round(total);
}
