import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import type { z } from "zod";
import { appErrorData, generalMessage } from "../api/app-error.ts";

export type FieldErrors<Field extends string> = Partial<Record<Field, string>>;

interface UseFormOptions<Schema extends z.ZodType, Field extends string> {
  schema: Schema;
  initial: Record<Field, string>;
  /** The ids of the inputs, in page order, so the first invalid one gets focus. */
  fieldIds: Record<Field, string>;
  onSubmit: (input: z.output<Schema>) => Promise<unknown>;
  /** Turns a server error into messages next to fields, or a form-level message; return false to rethrow. */
  onServerError?: (error: unknown, show: ShowErrors<Field>) => boolean | undefined;
}

export interface ShowErrors<Field extends string> {
  field(field: Field, message: string): void;
  form(message: string): void;
}

/**
 * Controlled fields checked with a zod schema before they go to the server; errors from either
 * side land next to their field and focus moves to the first one.
 */
export function useForm<Schema extends z.ZodType, Field extends string>(options: UseFormOptions<Schema, Field>) {
  const { schema, fieldIds } = options;
  const [values, setValues] = useState(options.initial);
  const [errors, setErrors] = useState<FieldErrors<Field>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const [submitting, setSubmitting] = useState(false);
  const [focusRequest, setFocusRequest] = useState(0);
  const formErrorRef = useRef<HTMLDivElement>(null);
  const latest = useRef(options);
  latest.current = options;

  useEffect(() => {
    if (focusRequest === 0) return;
    const first = (Object.keys(fieldIds) as Field[]).find((field) => errors[field]);
    const target = first ? document.getElementById(fieldIds[first]) : formErrorRef.current;
    target?.focus();
  }, [focusRequest, errors, fieldIds]);

  const setValue = useCallback((field: Field, value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    setErrors((current) => (current[field] ? { ...current, [field]: undefined } : current));
  }, []);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(undefined);
    const parsed = schema.safeParse(values);
    if (!parsed.success) {
      const next: FieldErrors<Field> = {};
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? "") as Field;
        if (field in fieldIds && !next[field]) next[field] = issue.message;
      }
      setErrors(next);
      setFocusRequest((n) => n + 1);
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      await latest.current.onSubmit(parsed.data);
    } catch (error) {
      const next: FieldErrors<Field> = {};
      let general: string | undefined;
      const show: ShowErrors<Field> = {
        field: (field, message) => {
          next[field] = message;
        },
        form: (message) => {
          general = message;
        },
      };
      const handled = latest.current.onServerError?.(error, show);
      if (!handled) {
        for (const issue of appErrorData(error).issues ?? []) {
          const field = issue.path[0] as Field | undefined;
          if (field && field in fieldIds) next[field] = issue.message;
        }
        if (Object.keys(next).length === 0) {
          general = generalMessage(error);
        }
      }
      setErrors(next);
      setFormError(general);
      setFocusRequest((n) => n + 1);
    } finally {
      setSubmitting(false);
    }
  };

  /** What a TextField needs to show and edit one field: its id, value, change handler and error. */
  const field = (name: Field) => ({
    id: fieldIds[name],
    value: values[name],
    onValueChange: (value: string) => setValue(name, value),
    error: errors[name],
  });

  return { values, setValue, field, errors, formError, setFormError, formErrorRef, submitting, onSubmit };
}
