const placeholder = /\{\{([A-Za-z]+)\}\}/g;

/**
 * Replaces every `{{name}}` in one pass over the template. Inserted values are never scanned
 * again, so a value that itself looks like `{{token}}` stays literal text.
 */
export function fillPlaceholders(
  template: string,
  values: Readonly<Record<string, string>>,
  encode: (value: string) => string,
): string {
  return template.replace(placeholder, (_match, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) throw new Error(`email template uses {{${name}}} but no value was given for it`);
    return encode(value);
  });
}
