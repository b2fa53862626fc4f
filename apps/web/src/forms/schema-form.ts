import { zodResolver } from "@hookform/resolvers/zod";
import { type DefaultValues, type FieldValues, type Path, type UseFormReturn, useForm } from "react-hook-form";
import type { z } from "zod";
import { type AppErrorData, appErrorData, generalMessage } from "../api/app-error.ts";

/** A react-hook-form form checked by one of the server's own input schemas before anything is sent. */
export function useSchemaForm<Schema extends z.ZodObject>(
  schema: Schema,
  defaultValues: DefaultValues<z.input<Schema>>,
): UseFormReturn<z.input<Schema>, unknown, z.output<Schema>> {
  return useForm<z.input<Schema>, unknown, z.output<Schema>>({
    resolver: zodResolver(schema),
    defaultValues,
    shouldFocusError: true,
  });
}

/** How a page reads one of its server errors: next to a field, above the button, or left to the defaults. */
export type ServerErrorReading<Field extends string> = { field: Field; message: string } | { form: string } | undefined;

/**
 * Shows a failed mutation's error in the form: the page's own reading first, then the server's
 * input issues next to their fields, else a general message above the submit button.
 */
export function showServerError<Values extends FieldValues, Output>(
  form: UseFormReturn<Values, unknown, Output>,
  error: unknown,
  read?: (data: AppErrorData) => ServerErrorReading<Path<Values>>,
): void {
  const data = appErrorData(error);
  const reading = read?.(data);
  if (reading && "field" in reading) {
    form.setError(reading.field, { type: "server", message: reading.message }, { shouldFocus: true });
    return;
  }
  if (reading) {
    form.setError("root.server", { type: "server", message: reading.form });
    return;
  }
  const known = form.getValues();
  let shown = 0;
  for (const issue of data.issues ?? []) {
    const field = issue.path[0];
    if (field === undefined || !(field in known)) continue;
    form.setError(field as Path<Values>, { type: "server", message: issue.message }, { shouldFocus: shown === 0 });
    shown++;
  }
  if (shown === 0) form.setError("root.server", { type: "server", message: generalMessage(error) });
}
