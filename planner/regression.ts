// Least-squares fits the planner explains in its report: a straight line (with the standard
// errors behind a forecast's date range) and a hinge ("flat, then linear above a knee").

export interface LinearFit {
  readonly intercept: number;
  readonly slope: number;
  /** Standard error of the slope; NaN with fewer than 3 points. */
  readonly slopeStdErr: number;
  /** Residual standard deviation. */
  readonly residualStd: number;
  readonly n: number;
}

/** Ordinary least squares y = intercept + slope·x; null when x has no spread. */
export function fitLine(xs: readonly number[], ys: readonly number[]): LinearFit | null {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    sxx += dx * dx;
    sxy += dx * (ys[i]! - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const r = ys[i]! - (intercept + slope * xs[i]!);
    sse += r * r;
  }
  const residualStd = n > 2 ? Math.sqrt(sse / (n - 2)) : NaN;
  return { intercept, slope, slopeStdErr: n > 2 ? residualStd / Math.sqrt(sxx) : NaN, residualStd, n };
}

/** y = base + slope·max(0, x − knee): flat up to the knee, linear above it. */
export interface HingeFit {
  readonly knee: number;
  readonly base: number;
  readonly slope: number;
  /** Sum of squared residuals of the chosen fit. */
  readonly sse: number;
}

export function hingeValue(fit: HingeFit, x: number): number {
  return fit.base + fit.slope * Math.max(0, x - fit.knee);
}

/**
 * The hinge that fits (x, y) best by least squares, trying each observed x as the knee (the
 * highest x would leave nothing above it, so it is not tried). With weights, a point counts
 * that many times. Null with fewer than two distinct x.
 */
export function fitHinge(xs: readonly number[], ys: readonly number[], weights?: readonly number[]): HingeFit | null {
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  if (distinct.length < 2) return null;
  let best: HingeFit | null = null;
  for (const knee of distinct.slice(0, -1)) {
    // Weighted least squares of y on h = max(0, x − knee).
    let sw = 0, sh = 0, sy = 0, shh = 0, shy = 0;
    for (let i = 0; i < xs.length; i++) {
      const w = weights?.[i] ?? 1;
      const h = Math.max(0, xs[i]! - knee);
      sw += w;
      sh += w * h;
      sy += w * ys[i]!;
      shh += w * h * h;
      shy += w * h * ys[i]!;
    }
    const varH = shh - (sh * sh) / sw;
    if (varH <= 0) continue;
    const slope = (shy - (sh * sy) / sw) / varH;
    const base = (sy - slope * sh) / sw;
    let sse = 0;
    for (let i = 0; i < xs.length; i++) {
      const r = ys[i]! - (base + slope * Math.max(0, xs[i]! - knee));
      sse += (weights?.[i] ?? 1) * r * r;
    }
    // Ties go to the lower knee: the more cautious reading of where churn starts.
    if (!best || sse < best.sse - 1e-9 * Math.max(1, best.sse)) best = { knee, base, slope, sse };
  }
  return best;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
