// Label-name validity as Prometheus 3 checks it (UTF-8 names allowed).

/** model.UTF8Validation.IsValidLabelName: non-empty, valid UTF-8 (no lone surrogates). */
export function isValidLabelName(name: string): boolean {
  return name.length > 0 && !/[\uD800-\uDFFF]/u.test(name);
}
