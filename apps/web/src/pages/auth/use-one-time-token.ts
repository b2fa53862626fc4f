import { type UseMutationOptions, useMutation } from "@tanstack/react-query";
import { useEffect, useRef } from "react";

/**
 * Spends the single-use token from an emailed link as soon as the page opens, exactly once even
 * when StrictMode runs effects twice. `broken` is true when the link had no token or spending it failed.
 */
export function useOneTimeToken<Result>(
  token: string | undefined,
  options: Omit<UseMutationOptions<Result, Error, string>, "mutationFn"> & {
    mutationFn: (token: string) => Promise<Result>;
  },
) {
  const mutation = useMutation(options);
  const started = useRef(false);
  useEffect(() => {
    if (started.current || !token) return;
    started.current = true;
    mutation.mutate(token);
  }, [token, mutation]);
  return { mutation, broken: !token || mutation.isError, error: mutation.error ?? undefined };
}
