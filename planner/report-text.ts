// Sentences both renderers share, so the HTML and Markdown say the same thing.
import type { Forecast } from './forecast.js';
import { formatBytes, formatRatio } from './format.js';

export function describeModel(): string {
  return (
    'Model: load = building instances (averaged over the rate range); churn = swap-in + swap-out bytes per second. ' +
    'For each load level the median churn is taken; a hinge (flat up to a knee, linear above it) is fitted to those medians by least squares. ' +
    'The churn limit is the last whole instance count below the fitted budget crossing; the memory limit keeps the promise (tmpfs roots + VM memory) within RAM + swap. ' +
    'Capacity is the smaller of the two.'
  );
}

export function forecastValue(f: Forecast, v: number): string {
  return f.unit === 'ratio' ? formatRatio(v) : formatBytes(v);
}
