// The `otlp:` block of prometheus.yml, with Prometheus 3.x's keys, defaults
// and validation messages.

import { TRANSLATION_STRATEGIES, type TranslationStrategy } from './naming.js';

export interface OtlpConfig {
  promoteAllResourceAttributes: boolean;
  promoteResourceAttributes: string[];
  ignoreResourceAttributes: string[];
  translationStrategy: TranslationStrategy;
  keepIdentifyingResourceAttributes: boolean;
  convertHistogramsToNHCB: boolean;
  promoteScopeMetadata: boolean;
  labelNameUnderscoreSanitization: boolean;
  labelNamePreserveMultipleUnderscores: boolean;
}

export const DEFAULT_OTLP_CONFIG: OtlpConfig = {
  promoteAllResourceAttributes: false, promoteResourceAttributes: [], ignoreResourceAttributes: [],
  translationStrategy: 'UnderscoreEscapingWithSuffixes', keepIdentifyingResourceAttributes: false, convertHistogramsToNHCB: false,
  promoteScopeMetadata: false, labelNameUnderscoreSanitization: false, labelNamePreserveMultipleUnderscores: false,
};

const KEYS: Record<string, 'bool' | 'list' | 'strategy'> = {
  promote_all_resource_attributes: 'bool', promote_resource_attributes: 'list', ignore_resource_attributes: 'list',
  translation_strategy: 'strategy', keep_identifying_resource_attributes: 'bool', convert_histograms_to_nhcb: 'bool',
  promote_scope_metadata: 'bool', label_name_underscore_sanitization: 'bool', label_name_preserve_multiple_underscores: 'bool',
};

export class OtlpConfigError extends Error {}

function attributeList(v: unknown, key: string, adjective: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new OtlpConfigError(`otlp.${key} must be a list of strings`);
  const seen = new Set<string>();
  const errs: string[] = [];
  const out: string[] = [];
  for (const raw of v as string[]) {
    const a = raw.trim();
    if (a === '') errs.push(`empty ${adjective} OTel resource attribute`);
    else if (seen.has(a)) errs.push(`duplicated ${adjective} OTel resource attribute ${JSON.stringify(a)}`);
    else {
      seen.add(a);
      out.push(a);
    }
  }
  if (errs.length > 0) throw new OtlpConfigError(`invalid '${key}': ${errs.join('\n')}`);
  return out;
}

/**
 * Reads the block (absent: defaults); throws OtlpConfigError with
 * Prometheus's message for what it refuses. `nameValidation` is the global
 * metric_name_validation_scheme: with "legacy", names must stay escaped.
 */
export function otlpConfig(block: unknown, nameValidation?: unknown): OtlpConfig {
  if (block === undefined || block === null) return { ...DEFAULT_OTLP_CONFIG };
  if (typeof block !== 'object' || Array.isArray(block)) throw new OtlpConfigError('otlp must be a mapping');
  const b = block as Record<string, unknown>;
  for (const [k, v] of Object.entries(b)) {
    const kind = KEYS[k];
    if (!kind) throw new OtlpConfigError(`field ${k} not found in type config.OTLPConfig`);
    if (kind === 'bool' && typeof v !== 'boolean') throw new OtlpConfigError(`otlp.${k} must be true or false`);
  }
  const strategy = b.translation_strategy ?? DEFAULT_OTLP_CONFIG.translationStrategy;
  if (typeof strategy !== 'string' || !(TRANSLATION_STRATEGIES as readonly string[]).includes(strategy)) {
    throw new OtlpConfigError(`unsupported OTLP translation strategy ${JSON.stringify(strategy)}`);
  }
  if (nameValidation === 'legacy' && (strategy === 'NoTranslation' || strategy === 'NoUTF8EscapingWithSuffixes')) {
    throw new OtlpConfigError(`OTLP translation strategy ${JSON.stringify(strategy)} is not allowed when UTF8 is disabled`);
  }
  const c: OtlpConfig = {
    ...DEFAULT_OTLP_CONFIG,
    translationStrategy: strategy as TranslationStrategy,
    promoteAllResourceAttributes: (b.promote_all_resource_attributes as boolean | undefined) ?? false,
    keepIdentifyingResourceAttributes: (b.keep_identifying_resource_attributes as boolean | undefined) ?? false,
    convertHistogramsToNHCB: (b.convert_histograms_to_nhcb as boolean | undefined) ?? false,
    promoteScopeMetadata: (b.promote_scope_metadata as boolean | undefined) ?? false,
    labelNameUnderscoreSanitization: (b.label_name_underscore_sanitization as boolean | undefined) ?? false,
    labelNamePreserveMultipleUnderscores: (b.label_name_preserve_multiple_underscores as boolean | undefined) ?? false,
  };
  const promote = b.promote_resource_attributes ?? [];
  const ignore = b.ignore_resource_attributes ?? [];
  if (c.promoteAllResourceAttributes) {
    if ((promote as unknown[]).length > 0) throw new OtlpConfigError("'promote_all_resource_attributes' and 'promote_resource_attributes' cannot be configured simultaneously");
    c.ignoreResourceAttributes = attributeList(ignore, 'ignore_resource_attributes', 'ignored');
  } else {
    if ((ignore as unknown[]).length > 0) throw new OtlpConfigError("'ignore_resource_attributes' cannot be configured unless 'promote_all_resource_attributes' is true");
    c.promoteResourceAttributes = attributeList(promote, 'promote_resource_attributes', 'promoted');
  }
  return c;
}
