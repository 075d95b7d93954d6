// The shapes of a Prometheus rule file, as typed objects: rendered to YAML by ./render.ts.

export type Severity = 'critical' | 'warning' | 'info';

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: Severity } & Readonly<Record<string, string>>;
  readonly annotations: {
    /** Static sentence, capitalised, ending with a period (mixtool's alert-summary-style). */
    readonly summary: string;
    /** Templated per alert instance ({{ $labels.x }}, {{ $value }}). */
    readonly description: string;
    readonly runbook_url: string;
  };
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly Rule[];
}
